package dev.dockup.bus;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpClosedException;

import javax.net.ssl.SSLException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/**
 * What went wrong with an outgoing request, in fixed words an answer or a log line may show. The exceptions' own texts
 * are never used: Vert.x's timeout message quotes the request line (a notifier's token sits in it), a resolver's names
 * the servers it asked.
 */
public final class Failures {
  private Failures() {
  }

  /** {@code timedOut} is the wording for a timeout (the callers say how long they waited, or not). */
  public static String describe(Throwable t, String timedOut) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof TimeoutException || c instanceof ConnectTimeoutException) return timedOut;
      if (c instanceof UnknownHostException) return "unknown host";
      if (c instanceof ConnectException) return "connection refused or unreachable";
      if (c instanceof SSLException) return "TLS handshake failed";
      if (c instanceof HttpClosedException) return "connection closed";
      if (c.getCause() == c) break;
    }
    return "request failed (" + t.getClass().getSimpleName() + ")";
  }
}
