package dev.dockup.schedule;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CronScheduleTest {

  /** The next run after {@code after} (ISO with offset), as an ISO date-time with offset. */
  static String next(String cron, String zone, String after) {
    ZonedDateTime next = CronSchedule.parse(cron, zone).next(OffsetDateTime.parse(after).toInstant());
    return next.toOffsetDateTime().toString();
  }

  @Test
  void dailyInNewYorkFollowsStandardAndDaylightTime() {
    assertEquals("2024-01-16T03:00-05:00", next("0 3 * * *", "America/New_York", "2024-01-15T12:00Z"));
    assertEquals("2024-07-02T03:00-04:00", next("0 3 * * *", "America/New_York", "2024-07-01T12:00Z"));
    // 02:00 UTC is still the previous evening in New York: today's 3 AM is ahead.
    assertEquals("2024-01-15T03:00-05:00", next("0 3 * * *", "America/New_York", "2024-01-15T02:00Z"));
  }

  @Test
  void everySixHoursInUtc() {
    assertEquals("2024-05-01T12:00Z", next("0 */6 * * *", "UTC", "2024-05-01T07:13:20Z"));
    assertEquals("2024-05-02T00:00Z", next("0 */6 * * *", "UTC", "2024-05-01T18:00:00.001Z"));
  }

  @Test
  void strictlyAfter() {
    assertEquals("2024-05-01T10:30Z", next("*/15 * * * *", "UTC", "2024-05-01T10:15Z"));
    assertEquals("2024-05-01T10:15Z", next("*/15 * * * *", "UTC", "2024-05-01T10:14:59.999Z"));
  }

  @Test
  void sundaysInBerlin() {
    // 2024-05-01 is a Wednesday; both 0 and 7 are Sunday.
    assertEquals("2024-05-05T02:00+02:00", next("0 2 * * 0", "Europe/Berlin", "2024-05-01T12:00Z"));
    assertEquals("2024-05-05T02:00+02:00", next("0 2 * * 7", "Europe/Berlin", "2024-05-01T12:00Z"));
    assertEquals("2024-01-07T02:00+01:00", next("0 2 * * 0", "Europe/Berlin", "2024-01-03T12:00Z"));
  }

  @Test
  void kolkataHasAHalfHourOffset() {
    assertEquals("2024-06-01T01:00+05:30", next("0 1 1 * *", "Asia/Kolkata", "2024-05-15T00:00Z"));
    // Friday 2024-05-17 20:00 in Kolkata → Monday 09:30.
    assertEquals("2024-05-20T09:30+05:30", next("30 9 * * 1-5", "Asia/Kolkata", "2024-05-17T14:30Z"));
    // 04:00 UTC is 09:30 in Kolkata.
    assertEquals(Instant.parse("2024-05-20T04:00:00Z"),
        CronSchedule.parse("30 9 * * 1-5", "Asia/Kolkata").next(Instant.parse("2024-05-17T14:30:00Z")).toInstant());
  }

  @Test
  void aRunInTheSpringGapRunsAtTheNextValidMinute() {
    // Berlin, 2024-03-31: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist.
    assertEquals("2024-03-31T03:00+02:00", next("30 2 * * *", "Europe/Berlin", "2024-03-30T12:00Z"));
    assertEquals("2024-04-01T02:30+02:00", next("30 2 * * *", "Europe/Berlin", "2024-03-31T01:00Z"));
    // New York, 2024-03-10: 02:00 EST jumps to 03:00 EDT.
    assertEquals("2024-03-10T03:00-04:00", next("30 2 * * *", "America/New_York", "2024-03-10T06:00Z"));
  }

  @Test
  void severalRunsInTheGapRunOnce() {
    CronSchedule every15 = CronSchedule.parse("*/15 * * * *", "America/New_York");
    ZonedDateTime first = every15.next(OffsetDateTime.parse("2024-03-10T01:50-05:00").toInstant());
    assertEquals("2024-03-10T03:00-04:00", first.toOffsetDateTime().toString());
    assertEquals("2024-03-10T03:15-04:00", every15.next(first.toInstant()).toOffsetDateTime().toString());
  }

  @Test
  void aRunInTheAutumnOverlapRunsOnce() {
    // New York, 2024-11-03: 02:00 EDT goes back to 01:00 EST; 01:30 happens twice.
    CronSchedule daily = CronSchedule.parse("30 1 * * *", "America/New_York");
    ZonedDateTime first = daily.next(OffsetDateTime.parse("2024-11-03T00:00-04:00").toInstant());
    assertEquals("2024-11-03T01:30-04:00", first.toOffsetDateTime().toString());
    assertEquals("2024-11-04T01:30-05:00", daily.next(first.toInstant()).toOffsetDateTime().toString());
    // Created during the second pass of 01:xx: today's 01:30 is already past.
    assertEquals("2024-11-04T01:30-05:00", next("30 1 * * *", "America/New_York", "2024-11-03T01:10-05:00"));

    // Every half hour: the repeated hour is not run again.
    assertEquals("2024-11-03T02:00-05:00", next("*/30 * * * *", "America/New_York", "2024-11-03T01:30-04:00"));
    assertEquals("2024-11-03T02:00-05:00", next("*/30 * * * *", "America/New_York", "2024-11-03T01:10-05:00"));

    // Berlin, 2024-10-27: 03:00 CEST goes back to 02:00 CET.
    CronSchedule berlin = CronSchedule.parse("30 2 * * *", "Europe/Berlin");
    ZonedDateTime once = berlin.next(Instant.parse("2024-10-26T12:00:00Z"));
    assertEquals("2024-10-27T02:30+02:00", once.toOffsetDateTime().toString());
    assertEquals("2024-10-28T02:30+01:00", berlin.next(once.toInstant()).toOffsetDateTime().toString());
  }

  @Test
  void leapDay() {
    assertEquals("2028-02-29T00:00Z", next("0 0 29 2 *", "UTC", "2024-03-01T00:00Z"));
  }

  @Test
  void invalidCronsAreNamed() {
    for (String cron : new String[] {"61 * * * *", "* * * *", "", "a b c d e", "0 0 30 2 *", "@daily", "0 0 * * * *"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse(cron, "UTC"), cron);
      assertTrue(e.getMessage().startsWith("Invalid cron: " + cron), e.getMessage());
    }
    assertEquals("Invalid cron: null", assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse(null, "UTC")).getMessage());
  }

  @Test
  void invalidZonesAreNamed() {
    for (String zone : new String[] {"Mars/Olympus", "+02:00", "", "Europe/Berlinn", "Z"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("0 3 * * *", zone), zone);
      assertEquals("Invalid timezone: " + zone, e.getMessage());
    }
    assertEquals("Invalid timezone: null",
        assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("0 3 * * *", null)).getMessage());
  }

  @Test
  void keepsTheTrimmedCronAndTheZone() {
    CronSchedule s = CronSchedule.parse("  0 3 * * * ", "Asia/Kolkata");
    assertEquals("0 3 * * *", s.cron());
    assertEquals("Asia/Kolkata", s.zone().getId());
  }
}
