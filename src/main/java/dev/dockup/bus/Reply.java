package dev.dockup.bus;

/** A service's answer with a status other than 200 (201, 202, or an error with a full body). */
public record Reply(int status, Object body) {}
