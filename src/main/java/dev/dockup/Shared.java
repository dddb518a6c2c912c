package dev.dockup;

import dev.dockup.audit.AuditLog;
import dev.dockup.auth.AuthService;
import dev.dockup.fleet.Remote;
import dev.dockup.notify.Notifier;
import dev.dockup.peer.PeerService;
import dev.dockup.registry.RegistryClient;
import dev.dockup.settings.Settings;
import dev.dockup.stack.StackListCache;
import dev.dockup.store.SecretBox;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the HTTP verticles of one process share in memory rather than over the event bus,
 * because every request needs it: the auth rules, settings, the audit log, the registry
 * client (its token cache), the HTTP peers (their clients and cached lists), the encoded stack
 * list, the shutdown state, and the box that seals the credentials DockUp keeps
 * ({@code DATA_DIR/secret.key}, read once).
 */
public record Shared(
    Config config,
    AuthService auth,
    Settings settings,
    AuditLog audit,
    RegistryClient registry,
    Notifier notifier,
    Remote remote,
    PeerService peers,
    StackListCache stackList,
    AtomicBoolean draining,
    AtomicInteger inFlight,
    SecretBox box) {}
