package dev.dockup.metrics;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The test's reader of the exposition format refuses what Prometheus would refuse: a reader that took anything would prove nothing. */
class PrometheusTextTest {
  static final String GOOD = """
      # HELP t_seconds A time.
      # TYPE t_seconds histogram
      t_seconds_bucket{a="x",le="0.5"} 1
      t_seconds_bucket{a="x",le="1.0"} 2
      t_seconds_bucket{a="x",le="+Inf"} 3
      t_seconds_count{a="x"} 3
      t_seconds_sum{a="x"} 4.5
      # TYPE c_total counter
      c_total{v="a \\"q\\" \\\\ \\n"} 1.0E3
      # TYPE g gauge
      g NaN
      """;

  @Test
  void readsAWellFormedText() {
    PrometheusText t = PrometheusText.parse(GOOD);
    assertEquals(3, t.families().size());
    assertEquals(3, t.sum("t_seconds_count", Map.of("a", "x")));
    assertEquals("a \"q\" \\ \n", t.find("c_total", Map.of()).get(0).label("v"));
    assertEquals(1000, t.sum("c_total", Map.of()));
  }

  @Test
  void refusesEachKindOfMistake() {
    String[] bad = {
        "g 1\n",                                                          // no TYPE
        "# TYPE g gauge\ng 1",                                            // no final newline
        "# TYPE g gauge\n1g 1\n",                                         // bad name
        "# TYPE g gauge\ng{a=x} 1\n",                                     // unquoted value
        "# TYPE g gauge\ng{a=\"\\t\"} 1\n",                               // unknown escape
        "# TYPE g gauge\ng{a=\"x\" b=\"y\"} 1\n",                         // no comma
        "# TYPE g gauge\ng{a=\"x\",a=\"y\"} 1\n",                         // label twice
        "# TYPE g gauge\ng{__a=\"x\"} 1\n",                               // reserved label name
        "# TYPE g gauge\ng one\n",                                        // bad value
        "# TYPE g gauge\ng  1\n",                                         // two spaces
        "# TYPE g gauge\ng 1\ng 2\n",                                     // the same series twice
        "# TYPE g gauge\nh 1\n",                                          // another family's sample
        "# TYPE g gauge\n# TYPE g gauge\n",                               // TYPE twice
        "# TYPE g widget\n",                                              // unknown type
        "# HELP g x\n",                                                   // HELP without TYPE
        "# TYPE c counter\nc -1\n",                                       // counter below zero
        GOOD.replace("le=\"1.0\"} 2", "le=\"1.0\"} 0"),                   // bucket decreasing
        GOOD.replace("t_seconds_count{a=\"x\"} 3", "t_seconds_count{a=\"x\"} 4"), // +Inf differs from count
        GOOD.replace("t_seconds_bucket{a=\"x\",le=\"+Inf\"} 3\n", ""),     // no +Inf
        GOOD.replace("t_seconds_sum{a=\"x\"} 4.5\n", ""),                 // no sum
        GOOD.replace("le=\"0.5\"", "le=\"half\""),                        // non-numeric le
    };
    for (String text : bad) {
      assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse(text), text);
    }
  }
}
