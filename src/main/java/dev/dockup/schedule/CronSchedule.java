package dev.dockup.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.Optional;

/**
 * A Unix cron (5 fields) in an IANA zone. The cron is matched against local wall-clock times,
 * computed on {@link LocalDateTime}s (cron-utils runs against UTC, which has no daylight saving,
 * because its own zone handling skips a run that falls in a gap). A local time that falls in a
 * spring-forward gap runs at the first valid minute after the gap; a local time that occurs twice
 * in an autumn overlap runs once, at its first occurrence. Immutable and thread-safe.
 */
public final class CronSchedule {
  private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  /** From here a cron that can run at all (29 February included) has a next run. */
  private static final ZonedDateTime PROBE = ZonedDateTime.of(2000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
  /** Skipped candidates in a row (overlaps only): far above any real overlap of minutes. */
  private static final int MAX_SKIPS = 100_000;
  private static final int MAX_SHOWN = 100;

  private final String cron;
  private final ZoneId zone;
  private final ExecutionTime execution;

  private CronSchedule(String cron, ZoneId zone, ExecutionTime execution) {
    this.cron = cron;
    this.zone = zone;
    this.execution = execution;
  }

  /**
   * @throws IllegalArgumentException {@code Invalid cron: <cron>} or {@code Invalid timezone: <zone>}
   */
  public static CronSchedule parse(String cron, String zoneId) {
    String expr = cron == null ? null : cron.trim();
    ExecutionTime execution;
    try {
      Cron parsed = PARSER.parse(expr);
      parsed.validate();
      execution = ExecutionTime.forCron(parsed);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Invalid cron: " + shown(cron), e);
    }
    // Valid fields that never meet (30 February) would leave a schedule that never runs.
    if (execution.nextExecution(PROBE).isEmpty()) throw new IllegalArgumentException("Invalid cron: " + shown(cron) + " (never runs)");
    return new CronSchedule(expr, zone(zoneId), execution);
  }

  /** An IANA zone name; an offset ({@code +02:00}) has no daylight-saving rules and is refused. */
  static ZoneId zone(String zoneId) {
    ZoneId zone;
    try {
      zone = ZoneId.of(zoneId);
    } catch (DateTimeException | NullPointerException e) {
      throw new IllegalArgumentException("Invalid timezone: " + shown(zoneId), e);
    }
    if (zone instanceof ZoneOffset) throw new IllegalArgumentException("Invalid timezone: " + shown(zoneId));
    return zone;
  }

  private static String shown(String value) {
    return value != null && value.length() > MAX_SHOWN ? value.substring(0, MAX_SHOWN) + "…" : String.valueOf(value);
  }

  /** The expression, trimmed. */
  public String cron() { return cron; }

  public ZoneId zone() { return zone; }

  /** The next run strictly after {@code after}, in the zone; null when the cron has no further run. */
  public ZonedDateTime next(Instant after) {
    LocalDateTime local = after.atZone(zone).toLocalDateTime();
    for (int i = 0; i < MAX_SKIPS; i++) {
      Optional<ZonedDateTime> match = execution.nextExecution(local.atZone(ZoneOffset.UTC));
      if (match.isEmpty()) return null;
      local = match.get().toLocalDateTime();
      ZonedDateTime run = at(local);
      // Only in an overlap's second pass: that local time already ran in the first one.
      if (run.toInstant().isAfter(after)) return run;
    }
    return null;
  }

  /** A local time in the zone: in a gap, the first valid instant after it; in an overlap, the first occurrence. */
  private ZonedDateTime at(LocalDateTime local) {
    ZoneOffsetTransition transition = zone.getRules().getTransition(local);
    if (transition != null && transition.isGap()) return transition.getInstant().atZone(zone);
    return ZonedDateTime.ofLocal(local, zone, null);
  }

  @Override
  public String toString() {
    return cron + " " + zone.getId();
  }
}
