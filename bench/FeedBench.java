import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Benchmark of DockUp's live feed ({@code /ws}).
 *
 * <p>Part A, change latency: stops containers of a bench stack one at a time and measures the
 * delay from the engine's own {@code die} event ({@code timeNano}) to the WebSocket client
 * receiving the {@code stack_status} that shows one container fewer running.
 *
 * <p>Part B, stats tick time: with many containers running and a client listening, collects
 * {@code stats_update} messages for a number of ticks and reports how long DockUp took to
 * sample each tick ({@code sample_ms}) against the tick interval.
 *
 * <p>Run with Java's single-file launcher: {@code java bench/FeedBench.java --help}.
 * No dependencies. DockUp setup calls and the Docker engine use a hand-written HTTP/1.1 client
 * (the engine over its Unix socket); the WebSocket uses java.net.http, whose overhead is far
 * below the millisecond-scale delays measured here.
 */
public class FeedBench {

    static final Pattern STACK_NAME = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,62}$");
    static final Pattern SUCCESS_TRUE = Pattern.compile("\"success\"\\s*:\\s*true");
    static final int PARALLEL_OPS = 4;

    /** Bound of every wait on the feed or the engine within one stop/start iteration. */
    static final long STEP_TIMEOUT_MS = 10_000;
    /** Bound of the wait for the bench stack's first stack_status (snapshot) with every container up. */
    static final long INITIAL_STATUS_TIMEOUT_MS = 30_000;
    static final int ENGINE_TIMEOUT_MS = 30_000;

    // Targets.
    static final double TARGET_LATENCY_P99_MS = 50.0;
    static final double TARGET_SAMPLE_SHARE = 0.5; // max sample_ms < interval_ms / 2

    static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "watchdog");
        t.setDaemon(true);
        return t;
    });

    public static void main(String[] args) {
        int code;
        try {
            code = run(Options.parse(args));
        } catch (UsageException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(Options.USAGE);
            code = 2;
        } catch (BenchException | IOException e) {
            System.err.println("error: " + e.getMessage());
            code = 1;
        } catch (Exception e) {
            System.err.println("error: " + e);
            code = 1;
        }
        System.exit(code);
    }

    static int run(Options o) throws Exception {
        if (o.help) {
            System.out.println(Options.USAGE);
            return 0;
        }
        DockUp dockup = new DockUp(o);
        Engine engine = new Engine(o.dockerSocket);
        String feedStack = o.skipLatency ? null : checkedName(o.prefix + "-feed");
        List<String> statsStacks = new ArrayList<>();
        if (!o.skipStats) {
            for (int i = 1; i <= o.containers / 2; i++) statsStacks.add(checkedName(o.prefix + "-s-" + i));
        }
        List<String> all = new ArrayList<>();
        if (feedStack != null) all.add(feedStack);
        all.addAll(statsStacks);

        if (feedStack != null) engine.ping(); // only part A talks to the engine
        dockup.requireAbsent(all);
        Set<String> touched = Collections.synchronizedSet(new LinkedHashSet<>());
        Feed feed = null;
        try {
            if (feedStack != null) {
                List<String> services = new ArrayList<>();
                for (int i = 1; i <= o.services; i++) services.add("s" + i);
                dockup.createAndStart(List.of(feedStack), services, touched);
            }
            feed = Feed.open(o, dockup);
            if (feedStack != null) {
                Latency l = measureLatency(o, engine, feed, feedStack);
                l.print(o);
            }
            if (!o.skipStats) {
                TickResult t = measureTicks(o, dockup, feed, statsStacks, touched);
                t.print(o);
            }
            return 0;
        } finally {
            if (feed != null) feed.close();
            if (o.keep) {
                System.out.println("keeping " + touched.size() + " bench stacks (--keep=true)");
            } else {
                dockup.deleteAll(new ArrayList<>(touched));
            }
        }
    }

    static String checkedName(String name) throws UsageException {
        if (!STACK_NAME.matcher(name).matches()) {
            throw new UsageException("stack name '" + name + "' does not match " + STACK_NAME.pattern());
        }
        return name;
    }

    /** Wall-clock time in ns since the epoch: the clock the engine's timeNano uses on this host. */
    static long nowNs() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    static long deadlineIn(long ms) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    }

    // ---------------------------------------------------------------- part A: change latency

    static Latency measureLatency(Options o, Engine engine, Feed feed, String stack) throws Exception {
        System.out.printf("part A: change latency, %d stops on %s (%d services) ...%n", o.stops, stack, o.services);
        feed.subscribe(List.of(stack));
        feed.watch(stack);
        feed.awaitLatestRunning(stack, o.services, INITIAL_STATUS_TIMEOUT_MS);

        String filters = "{\"type\":[\"container\"],\"event\":[\"die\"],\"label\":[\"com.docker.compose.project=" + stack + "\"]}";
        long[] latencies = new long[o.stops];
        try (EventStream events = engine.events(filters)) {
            String stoppedId = null;
            try {
                for (int i = 0; i < o.stops; i++) {
                    List<Container> running = engine.runningContainers(stack);
                    if (running.isEmpty()) throw new BenchException(stack + ": no running container");
                    // DockUp and the engine must agree before each stop, else N-1 below is meaningless.
                    int n = feed.awaitLatestRunning(stack, running.size(), STEP_TIMEOUT_MS);
                    Container c = running.get(i % running.size());

                    events.clear();
                    long mark = feed.mark();
                    stoppedId = c.id();
                    engine.stop(c.id());
                    Event die = events.awaitDie(c.id(), deadlineIn(STEP_TIMEOUT_MS));
                    long received = feed.awaitRunningAfter(stack, n - 1, mark, deadlineIn(STEP_TIMEOUT_MS));
                    latencies[i] = received - die.timeNano();

                    engine.start(c.id());
                    stoppedId = null;
                    feed.awaitLatestRunning(stack, n, STEP_TIMEOUT_MS);
                    if ((i + 1) % 10 == 0 || i + 1 == o.stops) {
                        System.out.printf("  %d/%d stops, last %.3f ms%n", i + 1, o.stops, latencies[i] / 1e6);
                    }
                }
            } finally {
                if (stoppedId != null) restartQuietly(engine, stoppedId);
            }
            return new Latency(stack, latencies, events.otherEvents());
        }
    }

    /** A failed iteration may leave its container stopped; put it back for --keep=true. */
    static void restartQuietly(Engine engine, String id) {
        try {
            engine.start(id);
        } catch (Exception e) {
            System.err.println("could not restart container " + id + ": " + e.getMessage());
        }
    }

    record Latency(String stack, long[] nanos, int otherDies) {
        long[] sorted() {
            long[] s = nanos.clone();
            Arrays.sort(s);
            return s;
        }

        void print(Options o) {
            long[] s = sorted();
            double mean = Arrays.stream(s).average().orElse(Double.NaN) / 1e6;
            double p99 = pMs(s, 99);
            System.out.println();
            System.out.printf("== change latency: engine die event -> WebSocket stack_status (%s, %d services)%n",
                    stack, o.services);
            System.out.printf("  count       %d%n", s.length);
            System.out.printf("  min ms      %.3f%n", s.length == 0 ? Double.NaN : s[0] / 1e6);
            System.out.printf("  mean ms     %.3f%n", mean);
            System.out.printf("  p50 ms      %.3f%n", pMs(s, 50));
            System.out.printf("  p90 ms      %.3f%n", pMs(s, 90));
            System.out.printf("  p99 ms      %.3f%n", p99);
            System.out.printf("  max ms      %.3f%n", s.length == 0 ? Double.NaN : s[s.length - 1] / 1e6);
            if (otherDies > 0) System.out.printf("  note        %d die events of other containers of the stack%n", otherDies);
            if (s.length > 0 && s[0] < 0) {
                System.out.println("  note        negative latencies: DockUp and the engine do not share this clock");
            }
            System.out.println();
            String note = s.length < 100 ? " -- with fewer than 100 stops p99 is the maximum" : "";
            System.out.println("target" + note + ":");
            target("p99 <= 50 ms", p99 <= TARGET_LATENCY_P99_MS, String.format("%.3f ms", p99));
        }
    }

    /** Nearest-rank percentile in milliseconds. */
    static double pMs(long[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }

    static void target(String what, boolean pass, String actual) {
        System.out.printf("  %-34s %-4s (%s)%n", what, pass ? "PASS" : "MISS", actual);
    }

    // ---------------------------------------------------------------- part B: stats tick time

    static TickResult measureTicks(Options o, DockUp dockup, Feed feed, List<String> stacks, Set<String> touched)
            throws Exception {
        System.out.printf("part B: stats tick time, %d stacks x 2 services = %d containers ...%n",
                stacks.size(), stacks.size() * 2);
        feed.subscribe(List.of()); // every stack's messages
        dockup.createAndStart(stacks, List.of("a", "b"), touched);
        dockup.awaitRunning(stacks);
        Integer hint = dockup.statsInterval();
        System.out.println("  stats_interval " + (hint == null ? "unknown (GET /api/config not readable)" : hint + " s")
                + "; collecting " + o.ticks + " ticks after one warm-up tick ...");

        Stats stats = feed.collectStats(new LinkedHashSet<>(stacks));
        int needed = o.ticks + 2; // warm-up + measured + the next one, which shows the last is complete
        // Before the first message the interval is only known from the settings (1..300 s).
        long firstWaitS = hint == null ? 315 : 2L * hint + 15;
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(firstWaitS);
        boolean tightened = false;
        while (true) {
            Stats.Progress p = feed.awaitStats(stats, needed, Math.min(deadline, System.nanoTime() + 1_000_000_000L));
            if (p.ticks() >= needed) break;
            if (!tightened && p.intervalMs() > 0) {
                long budgetMs = (long) ((needed + 1) * p.intervalMs() * 1.5) + 15_000;
                deadline = p.firstNanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetMs);
                tightened = true;
            }
            if (System.nanoTime() >= deadline) {
                throw new BenchException("stats_update: " + p.ticks() + " ticks seen, " + needed + " needed, within "
                        + (System.nanoTime() - start) / 1_000_000_000L + " s" + feed.malformedNote());
            }
        }
        feed.stopStats();
        return stats.result(o.ticks, stacks.size() * 2);
    }

    /** The stats_update messages of one tick. */
    static final class Tick {
        final long number;
        int messages;
        final Set<String> stacks = new LinkedHashSet<>();
        int containers;
        int benchContainers;
        double sampleMs = Double.NaN; // max over its messages (they should all carry the same value)
        double intervalMs = Double.NaN;
        boolean sampleDiffers;

        Tick(long number) { this.number = number; }
    }

    static final class Stats {
        static final int MAX_TICKS = 10_000;

        final Set<String> benchStacks;
        final TreeMap<Long, Tick> ticks = new TreeMap<>();
        long firstNanoTime;
        double intervalMs = Double.NaN;

        record Progress(int ticks, double intervalMs, long firstNanoTime) {}

        Stats(Set<String> benchStacks) { this.benchStacks = benchStacks; }

        /** Called with the feed's lock held. */
        boolean add(Map<?, ?> m) {
            Long number = longOf(m.get("tick"));
            Double sample = doubleOf(m.get("sample_ms"));
            Double interval = doubleOf(m.get("interval_ms"));
            if (number == null || sample == null || interval == null || !(m.get("containers") instanceof List<?> list)) {
                return false;
            }
            if (ticks.isEmpty()) firstNanoTime = System.nanoTime();
            if (!ticks.containsKey(number) && ticks.size() >= MAX_TICKS) return true;
            Tick t = ticks.computeIfAbsent(number, Tick::new);
            t.messages++;
            Object stack = m.get("stack");
            if (stack != null) t.stacks.add(String.valueOf(stack));
            t.containers += list.size();
            if (stack != null && benchStacks.contains(String.valueOf(stack))) t.benchContainers += list.size();
            if (!Double.isNaN(t.sampleMs) && t.sampleMs != sample) t.sampleDiffers = true;
            t.sampleMs = Double.isNaN(t.sampleMs) ? sample : Math.max(t.sampleMs, sample);
            t.intervalMs = interval;
            intervalMs = interval;
            return true;
        }

        Progress progress() { return new Progress(ticks.size(), intervalMs, firstNanoTime); }

        /** The lowest tick is the warm-up (possibly joined half-way); then the next n. */
        TickResult result(int n, int benchContainers) {
            List<Tick> all = new ArrayList<>(ticks.values());
            return new TickResult(all.get(0), all.subList(1, 1 + n), benchStacks.size(), benchContainers);
        }
    }

    record TickResult(Tick warmup, List<Tick> ticks, int benchStacks, int benchContainers) {
        void print(Options o) {
            long[] sample = new long[ticks.size()];
            double maxSample = 0;
            double minInterval = Double.MAX_VALUE;
            int minCovered = Integer.MAX_VALUE;
            int maxCovered = 0;
            int minBench = Integer.MAX_VALUE;
            boolean differs = false;
            for (int i = 0; i < ticks.size(); i++) {
                Tick t = ticks.get(i);
                sample[i] = Math.round(t.sampleMs * 1e6);
                maxSample = Math.max(maxSample, t.sampleMs);
                minInterval = Math.min(minInterval, t.intervalMs);
                minCovered = Math.min(minCovered, t.containers);
                maxCovered = Math.max(maxCovered, t.containers);
                minBench = Math.min(minBench, t.benchContainers);
                differs |= t.sampleDiffers;
            }
            Arrays.sort(sample);
            System.out.println();
            System.out.printf("== stats tick time (%d bench stacks, %d bench containers; tick %d skipped as warm-up)%n",
                    benchStacks, benchContainers, warmup.number);
            System.out.printf("  %8s %12s %12s %9s %11s %17s%n",
                    "tick", "sample ms", "interval ms", "messages", "containers", "bench containers");
            for (Tick t : ticks) {
                System.out.printf("  %8d %12.3f %12.3f %9d %11d %17d%n",
                        t.number, t.sampleMs, t.intervalMs, t.messages, t.containers, t.benchContainers);
            }
            System.out.printf("  ticks             %d%n", ticks.size());
            System.out.printf("  sample p50 ms     %.3f%n", pMs(sample, 50));
            System.out.printf("  sample max ms     %.3f%n", maxSample);
            System.out.printf("  containers/tick   %d..%d (all stacks)%n", minCovered, maxCovered);
            if (minBench < benchContainers) {
                System.out.printf("  note              a tick covered only %d of the %d bench containers%n", minBench, benchContainers);
            }
            if (differs) System.out.println("  note              messages of one tick carried different sample_ms; the max is shown");
            System.out.println();
            String note = o.containers == 200 ? "" : " -- this run: " + o.containers + " containers";
            System.out.println("target (defined at 200 containers)" + note + ":");
            target("max sample_ms < interval_ms / 2", maxSample < minInterval * TARGET_SAMPLE_SHARE,
                    String.format("%.3f ms vs %.3f ms", maxSample, minInterval * TARGET_SAMPLE_SHARE));
        }
    }

    // ---------------------------------------------------------------- options

    static final class Options {
        static final String USAGE = String.join("\n",
                "usage: java bench/FeedBench.java [--key=value ...]",
                "  --url=http://127.0.0.1:5000         DockUp base URL (loopback only); the feed is ws://<host>:<port>/ws",
                "  --token=                            sent as X-API-Token on every DockUp request and the WebSocket",
                "  --docker-socket=/var/run/docker.sock",
                "  --image=dockup-test/busybox:1       image of every service",
                "  --prefix=feedbench                  stacks <prefix>-feed and <prefix>-s-1 .. <prefix>-s-<containers/2>",
                "  --services=10                       part A: services of <prefix>-feed (1..100)",
                "  --stops=60                          part A: containers stopped and started again (1..10000)",
                "  --containers=200                    part B: containers, in two-service stacks (even, 2..2000)",
                "  --ticks=6                           part B: stats ticks measured, after one warm-up tick (1..100)",
                "  --skip-latency=false                skip part A",
                "  --skip-stats=false                  skip part B",
                "  --keep=false                        keep the stacks afterwards");

        String url = "http://127.0.0.1:5000";
        String token = "";
        String dockerSocket = "/var/run/docker.sock";
        String image = "dockup-test/busybox:1";
        String prefix = "feedbench";
        int services = 10;
        int stops = 60;
        int containers = 200;
        int ticks = 6;
        boolean skipLatency = false;
        boolean skipStats = false;
        boolean keep = false;
        boolean help = false;

        static Options parse(String[] args) throws UsageException {
            Options o = new Options();
            for (String arg : args) {
                if (arg.equals("--help") || arg.equals("-h")) {
                    o.help = true;
                    continue;
                }
                int eq = arg.indexOf('=');
                if (!arg.startsWith("--") || eq < 0) {
                    throw new UsageException("expected --key=value, got '" + arg + "'");
                }
                o.set(arg.substring(2, eq), arg.substring(eq + 1));
            }
            if (o.image.isBlank() || o.image.matches(".*[\\s\"'\\\\].*")) {
                throw new UsageException("--image must be a plain image reference");
            }
            if (o.containers % 2 != 0) throw new UsageException("--containers must be even (two-service stacks)");
            if (o.skipLatency && o.skipStats && !o.help) {
                throw new UsageException("--skip-latency=true and --skip-stats=true leave nothing to measure");
            }
            if (o.token.matches(".*[\\r\\n].*")) throw new UsageException("--token must be one line");
            return o;
        }

        private void set(String key, String v) throws UsageException {
            switch (key) {
                case "url" -> url = v;
                case "token" -> token = v;
                case "docker-socket" -> dockerSocket = v;
                case "image" -> image = v;
                case "prefix" -> prefix = v;
                case "services" -> services = intIn(key, v, 1, 100);
                case "stops" -> stops = intIn(key, v, 1, 10_000);
                case "containers" -> containers = intIn(key, v, 2, 2000);
                case "ticks" -> ticks = intIn(key, v, 1, 100);
                case "skip-latency" -> skipLatency = bool(key, v);
                case "skip-stats" -> skipStats = bool(key, v);
                case "keep" -> keep = bool(key, v);
                default -> throw new UsageException("unknown option --" + key);
            }
        }

        private static int intIn(String key, String v, int min, int max) throws UsageException {
            try {
                int i = Integer.parseInt(v);
                if (i >= min && i <= max) return i;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new UsageException("--" + key + " must be an integer in " + min + ".." + max);
        }

        private static boolean bool(String key, String v) throws UsageException {
            if (v.equals("true")) return true;
            if (v.equals("false")) return false;
            throw new UsageException("--" + key + " must be true or false");
        }
    }

    static final class UsageException extends Exception {
        UsageException(String m) { super(m); }
    }

    static final class BenchException extends Exception {
        BenchException(String m) { super(m); }
    }

    // ---------------------------------------------------------------- the live feed (WebSocket)

    record Status(long seq, long receivedNs, int running) {}

    /**
     * The WebSocket client. The listener records every message with its arrival time; the main
     * thread waits on {@code lock} for what it needs, always with a deadline.
     */
    static final class Feed implements WebSocket.Listener {
        static final int MAX_MESSAGE_CHARS = 16 * 1024 * 1024;
        static final int MAX_HISTORY = 100_000;

        private final Object lock = new Object();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket ws;

        // Guarded by lock.
        private final Map<String, Integer> latestRunning = new HashMap<>();
        private final Map<String, Integer> types = new LinkedHashMap<>();
        private String watched;
        private final List<Status> history = new ArrayList<>();
        private long seq;
        private Stats stats;
        private int malformed;
        private String firstMalformed;
        private String failure;

        static Feed open(Options o, DockUp dockup) throws Exception {
            URI uri = URI.create("ws://" + dockup.endpoint.hostHeader + dockup.basePath + "/ws");
            Feed feed = new Feed();
            HttpClient client = HttpClient.newBuilder()
                    .proxy(HttpClient.Builder.NO_PROXY)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            WebSocket.Builder b = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
            if (!o.token.isEmpty()) b.header("X-API-Token", o.token);
            try {
                feed.ws = b.buildAsync(uri, feed).get(15, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof WebSocketHandshakeException h) {
                    throw new BenchException("WebSocket " + uri + ": handshake refused, HTTP " + h.getResponse().statusCode()
                            + " " + abbreviate(h.getResponse().body()));
                }
                throw new BenchException("WebSocket " + uri + ": " + c);
            } catch (TimeoutException e) {
                throw new BenchException("WebSocket " + uri + ": no handshake within 15 s");
            }
            System.out.println("WebSocket connected to " + uri);
            return feed;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            long received = nowNs(); // before any parsing: the arrival of the (last part of the) message
            if (partial.length() + data.length() > MAX_MESSAGE_CHARS) {
                fail("a message exceeds " + MAX_MESSAGE_CHARS + " characters");
                webSocket.abort();
                return null;
            }
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                handle(text, received);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
            if (last) count("(binary)");
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            fail("closed by the server: " + statusCode + (reason.isEmpty() ? "" : " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            fail("error: " + error);
        }

        private void fail(String why) {
            synchronized (lock) {
                if (failure == null) failure = why;
                lock.notifyAll();
            }
        }

        private void count(String type) {
            synchronized (lock) {
                types.merge(type, 1, Integer::sum);
            }
        }

        private void handle(String text, long received) {
            Object parsed;
            try {
                parsed = Json.parse(text);
            } catch (IllegalArgumentException e) {
                malformed(text);
                return;
            }
            if (!(parsed instanceof Map<?, ?> m)) {
                malformed(text);
                return;
            }
            String type = String.valueOf(m.get("type"));
            synchronized (lock) {
                types.merge(type, 1, Integer::sum);
                switch (type) {
                    case "stack_status" -> {
                        Long running = longOf(m.get("running"));
                        Object stack = m.get("stack");
                        if (running == null || stack == null) {
                            malformed(text);
                            return;
                        }
                        String name = String.valueOf(stack);
                        latestRunning.put(name, running.intValue());
                        if (name.equals(watched) && history.size() < MAX_HISTORY) {
                            history.add(new Status(++seq, received, running.intValue()));
                        }
                        lock.notifyAll();
                    }
                    case "stats_update" -> {
                        if (stats != null) {
                            if (!stats.add(m)) malformed(text);
                            lock.notifyAll();
                        }
                    }
                    default -> {
                        // node_status, operation_output, health_update, ...: not measured
                    }
                }
            }
        }

        private void malformed(String text) {
            synchronized (lock) {
                malformed++;
                if (firstMalformed == null) firstMalformed = abbreviate(text);
            }
        }

        String malformedNote() {
            synchronized (lock) {
                return malformed == 0 ? "" : "; " + malformed + " unexpected messages, first: " + firstMalformed;
            }
        }

        void subscribe(List<String> stacks) throws Exception {
            StringBuilder j = new StringBuilder("{\"subscribe\":[");
            for (int i = 0; i < stacks.size(); i++) j.append(i == 0 ? "" : ",").append(Json.quote(stacks.get(i)));
            j.append("]}");
            try {
                ws.sendText(j.toString(), true).get(5, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new BenchException("WebSocket: could not send " + j + ": " + e);
            }
        }

        /** Keeps the arrival of every stack_status of this stack from now on. */
        void watch(String stack) {
            synchronized (lock) {
                watched = stack;
                history.clear();
            }
        }

        /** A point in the watched stack's history; only later messages count as answers. */
        long mark() {
            synchronized (lock) {
                history.clear(); // earlier entries are never needed again
                return seq;
            }
        }

        /** Waits until the latest stack_status of the stack says running == n. */
        int awaitLatestRunning(String stack, int n, long timeoutMs) throws Exception {
            long deadline = deadlineIn(timeoutMs);
            synchronized (lock) {
                while (true) {
                    checkOpen();
                    Integer latest = latestRunning.get(stack);
                    if (latest != null && latest == n) return n;
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new BenchException("feed: " + stack + " still shows running=" + latest + ", expected " + n
                                + " within " + timeoutMs + " ms" + malformedNote() + "; messages so far " + types);
                    }
                    waitNanos(left);
                }
            }
        }

        /** Arrival time (ns since the epoch) of the first stack_status after mark with running == n. */
        long awaitRunningAfter(String stack, int n, long mark, long deadline) throws Exception {
            synchronized (lock) {
                while (true) {
                    for (Status s : history) {
                        if (s.seq() > mark && s.running() == n) return s.receivedNs();
                    }
                    checkOpen();
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new BenchException("feed: no stack_status for " + stack + " with running=" + n + " within "
                                + STEP_TIMEOUT_MS + " ms of the stop (latest running=" + latestRunning.get(stack) + ")"
                                + malformedNote());
                    }
                    waitNanos(left);
                }
            }
        }

        Stats collectStats(Set<String> benchStacks) {
            synchronized (lock) {
                stats = new Stats(benchStacks);
                return stats;
            }
        }

        void stopStats() {
            synchronized (lock) {
                stats = null;
            }
        }

        Stats.Progress awaitStats(Stats s, int ticks, long deadline) throws Exception {
            synchronized (lock) {
                while (true) {
                    checkOpen();
                    Stats.Progress p = s.progress();
                    long left = deadline - System.nanoTime();
                    if (p.ticks() >= ticks || left <= 0) return p;
                    waitNanos(left);
                }
            }
        }

        private void checkOpen() throws BenchException {
            if (failure != null) throw new BenchException("WebSocket " + failure);
        }

        private void waitNanos(long nanos) throws InterruptedException {
            long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
            lock.wait(Math.min(ms, 1000));
        }

        void close() {
            WebSocket w = ws;
            if (w == null) return;
            try {
                w.sendClose(WebSocket.NORMAL_CLOSURE, "bench done").get(2, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // aborted below either way
            }
            w.abort();
        }
    }

    // ---------------------------------------------------------------- Docker engine

    record Container(String id, String name) {}

    record Event(String id, String action, long timeNano) {}

    /** The engine over its Unix socket; one connection per call, each call bounded by a watchdog. */
    static final class Engine {
        final Endpoint ep;
        final String socketPath;

        Engine(String socketPath) {
            this.socketPath = socketPath;
            this.ep = Endpoint.unix(socketPath);
        }

        void ping() throws Exception {
            Http.Response r = call("GET", "/_ping");
            if (r.status() != 200) throw new BenchException("Docker engine at " + socketPath + ": /_ping HTTP " + r.status());
        }

        /** Running containers of the compose project, by name. */
        List<Container> runningContainers(String project) throws Exception {
            String filters = "{\"label\":[\"com.docker.compose.project=" + project + "\"]}";
            Http.Response r = call("GET", "/containers/json?filters=" + URLEncoder.encode(filters, StandardCharsets.UTF_8));
            if (r.status() != 200) throw new BenchException("engine: list containers: HTTP " + r.status() + " " + abbreviate(r.text()));
            List<Container> list = new ArrayList<>();
            try {
                for (Object item : (List<?>) Json.parse(r.text())) {
                    Map<?, ?> c = (Map<?, ?>) item;
                    List<?> names = (List<?>) c.get("Names");
                    String name = names == null || names.isEmpty() ? "" : String.valueOf(names.get(0));
                    list.add(new Container(String.valueOf(c.get("Id")), name));
                }
            } catch (ClassCastException | IllegalArgumentException e) {
                throw new BenchException("engine: list containers: unexpected body: " + abbreviate(r.text()));
            }
            list.sort(Comparator.comparing(Container::name));
            return list;
        }

        void stop(String id) throws Exception {
            Http.Response r = call("POST", "/containers/" + id + "/stop?t=1");
            if (r.status() != 204) throw new BenchException("engine: stop " + id + ": HTTP " + r.status() + " " + abbreviate(r.text()));
        }

        void start(String id) throws Exception {
            Http.Response r = call("POST", "/containers/" + id + "/start");
            // 304: already running (something else started it); fine for what follows
            if (r.status() != 204 && r.status() != 304) {
                throw new BenchException("engine: start " + id + ": HTTP " + r.status() + " " + abbreviate(r.text()));
            }
        }

        Http.Response call(String method, String path) throws Exception {
            byte[] req = Http.request(method, path, ep.hostHeader, null, null, true);
            Http.Conn c = ep.open(0);
            ScheduledFuture<?> watchdog = WATCHDOG.schedule(c::close, ENGINE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            try {
                return c.exchange(req);
            } catch (IOException e) {
                if (watchdog.isDone()) {
                    throw new BenchException("engine: " + method + " " + path + ": no answer within " + ENGINE_TIMEOUT_MS / 1000 + " s");
                }
                throw new IOException("engine: " + method + " " + path + ": " + e.getMessage(), e);
            } finally {
                watchdog.cancel(false);
                c.close();
            }
        }

        EventStream events(String filtersJson) throws Exception {
            return EventStream.open(ep, "/events?filters=" + URLEncoder.encode(filtersJson, StandardCharsets.UTF_8));
        }
    }

    /**
     * GET /events: a chunked body of JSON objects, one per event, read by a daemon thread into a
     * bounded queue. The engine subscribes before it answers the headers, so events of anything
     * done after open() returns are delivered.
     */
    static final class EventStream implements Closeable {
        static final int HEAD_TIMEOUT_MS = 10_000;
        static final int MAX_QUEUE = 100_000;

        final Http.Conn conn;
        final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>(MAX_QUEUE);
        final Thread reader;
        volatile String error;
        volatile boolean closing;
        int otherEvents;

        private EventStream(Http.Conn conn) {
            this.conn = conn;
            this.reader = new Thread(this::read, "engine-events");
            this.reader.setDaemon(true);
        }

        static EventStream open(Endpoint ep, String path) throws Exception {
            Http.Conn c = ep.open(0);
            ScheduledFuture<?> watchdog = WATCHDOG.schedule(c::close, HEAD_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            try {
                c.send(Http.request("GET", path, ep.hostHeader, null, null, false));
                Http.Head head = c.readHead();
                if (head.status() != 200) {
                    throw new BenchException("engine: GET " + path + ": HTTP " + head.status() + " " + abbreviate(c.readBody(head).text()));
                }
                if (!head.chunked()) throw new BenchException("engine: GET " + path + ": expected a chunked stream");
            } catch (Exception e) {
                c.close();
                if (watchdog.isDone() && e instanceof IOException) {
                    throw new BenchException("engine: GET /events: no answer within " + HEAD_TIMEOUT_MS / 1000 + " s");
                }
                throw e;
            } finally {
                watchdog.cancel(false);
            }
            EventStream s = new EventStream(c);
            s.reader.start();
            return s;
        }

        private void read() {
            JsonSplitter splitter = new JsonSplitter();
            try {
                byte[] chunk;
                while ((chunk = conn.readChunk()) != null) {
                    for (String text : splitter.feed(chunk)) {
                        Event e = parse(text);
                        if (e != null && !queue.offer(e)) throw new IOException("event queue full");
                    }
                }
                if (!closing) error = "the engine ended the event stream";
            } catch (Exception e) {
                if (!closing) error = e.toString();
            }
        }

        static Event parse(String text) {
            try {
                Map<?, ?> m = (Map<?, ?>) Json.parse(text);
                Object id = m.get("id");
                if (id == null && m.get("Actor") instanceof Map<?, ?> actor) id = actor.get("ID");
                Object action = m.get("Action") != null ? m.get("Action") : m.get("status");
                Long nano = longOf(m.get("timeNano"));
                if (nano == null) {
                    Long seconds = longOf(m.get("time"));
                    if (seconds == null) return null;
                    nano = seconds * 1_000_000_000L;
                }
                return id == null ? null : new Event(String.valueOf(id), String.valueOf(action), nano);
            } catch (ClassCastException | IllegalArgumentException e) {
                return null;
            }
        }

        void clear() {
            queue.clear();
        }

        /** The die event of this container; die events of other containers are counted. */
        Event awaitDie(String id, long deadline) throws Exception {
            while (true) {
                long left = deadline - System.nanoTime();
                Event e = left > 0 ? queue.poll(Math.min(left, 200_000_000L), TimeUnit.NANOSECONDS) : null;
                if (e != null) {
                    if (e.id().equals(id) && e.action().startsWith("die")) return e;
                    otherEvents++;
                    continue;
                }
                if (error != null) throw new BenchException("engine events: " + error);
                if (System.nanoTime() >= deadline) {
                    throw new BenchException("engine events: no die event for " + id + " within " + STEP_TIMEOUT_MS + " ms");
                }
            }
        }

        int otherEvents() { return otherEvents; }

        @Override
        public void close() {
            closing = true;
            conn.close();
            try {
                reader.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Cuts a byte stream into complete top-level JSON values; chunk boundaries may fall anywhere. */
    static final class JsonSplitter {
        static final int MAX_VALUE = 4 * 1024 * 1024;

        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private int depth;
        private boolean inString;
        private boolean escaped;

        List<String> feed(byte[] bytes) throws IOException {
            List<String> out = new ArrayList<>();
            for (byte b : bytes) {
                if (depth == 0 && !inString) {
                    if (b == '{' || b == '[') {
                        pending.reset();
                    } else {
                        continue; // whitespace between values
                    }
                }
                pending.write(b);
                if (pending.size() > MAX_VALUE) throw new IOException("event larger than " + MAX_VALUE + " bytes");
                if (inString) {
                    if (escaped) escaped = false;
                    else if (b == '\\') escaped = true;
                    else if (b == '"') inString = false;
                } else if (b == '"') {
                    inString = true;
                } else if (b == '{' || b == '[') {
                    depth++;
                } else if (b == '}' || b == ']') {
                    depth--;
                    if (depth == 0) out.add(pending.toString(StandardCharsets.UTF_8));
                }
            }
            return out;
        }
    }

    // ---------------------------------------------------------------- DockUp API

    /** The DockUp calls of the setup and cleanup phases; one short-lived connection per call. */
    static final class DockUp {
        static final int OPERATION_TIMEOUT_MS = 300_000; // compose up/down of a stack is synchronous
        static final int POLL_TIMEOUT_MS = 5_000;
        static final long POLL_INTERVAL_MS = 200;
        static final long READY_TIMEOUT_MS = 60_000;

        final Options o;
        final Endpoint endpoint;
        final String basePath;
        final Map<String, String> headers = new LinkedHashMap<>();

        DockUp(Options o) throws UsageException {
            this.o = o;
            URI uri;
            try {
                uri = new URI(o.url);
            } catch (Exception e) {
                throw new UsageException("bad --url: " + e.getMessage());
            }
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new UsageException("--url must be http://host[:port][/path]");
            }
            this.endpoint = Endpoint.loopbackTcp(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            if (!o.token.isEmpty()) headers.put("X-API-Token", o.token);
            headers.put("Accept", "application/json");
        }

        /** Refuses to run over existing stacks: cleanup would otherwise delete someone's stack. */
        void requireAbsent(List<String> names) throws Exception {
            List<String> existing = new ArrayList<>();
            for (String name : names) {
                Http.Response r = get("/api/stack/" + name);
                if (r.status() == 200) existing.add(name);
                else if (r.status() != 404) {
                    throw new BenchException("GET /api/stack/" + name + ": HTTP " + r.status() + " " + abbreviate(r.text()));
                }
            }
            if (!existing.isEmpty()) {
                throw new BenchException("stacks already exist: " + abbreviate(existing)
                        + " (delete them or choose another --prefix)");
            }
        }

        void createAndStart(List<String> names, List<String> services, Set<String> touched) throws Exception {
            System.out.printf("creating and starting %d stack%s of %d services (%d at a time) ...%n",
                    names.size(), names.size() == 1 ? "" : "s", services.size(), PARALLEL_OPS);
            String yaml = composeYaml(services);
            long t0 = System.nanoTime();
            forEachParallel(names, name -> {
                touched.add(name); // before the call: a failed create may still leave a folder
                call("POST", "/api/stack/" + name + "/compose", "{\"content\":" + Json.quote(yaml) + "}");
                call("POST", "/api/stack/" + name + "/operation", "{\"operation\":\"up\"}");
            });
            System.out.printf("  done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        }

        String composeYaml(List<String> services) {
            StringBuilder y = new StringBuilder("services:\n");
            for (String service : services) {
                y.append("  ").append(service).append(":\n")
                        .append("    image: ").append(o.image).append('\n')
                        .append("    init: true\n")
                        .append("    stop_grace_period: 1s\n")
                        .append("    command: [\"sleep\", \"3600\"]\n");
            }
            return y.toString();
        }

        void awaitRunning(List<String> names) throws Exception {
            long deadline = deadlineIn(READY_TIMEOUT_MS);
            Map<String, String> status = Map.of();
            while (System.nanoTime() < deadline) {
                status = listStacks();
                if (notRunning(names, status).isEmpty()) {
                    System.out.println("  all " + names.size() + " stacks are running");
                    return;
                }
                Thread.sleep(POLL_INTERVAL_MS);
            }
            List<String> pending = new ArrayList<>();
            for (String name : notRunning(names, status)) pending.add(name + "=" + status.get(name));
            throw new BenchException("stacks not running after " + READY_TIMEOUT_MS / 1000 + " s: " + abbreviate(pending));
        }

        static List<String> notRunning(List<String> names, Map<String, String> status) {
            List<String> pending = new ArrayList<>();
            for (String name : names) {
                if (!"running".equals(status.get(name))) pending.add(name);
            }
            return pending;
        }

        /** Stack name to status, from GET /api/stacks. */
        Map<String, String> listStacks() throws Exception {
            Http.Response r = get("/api/stacks");
            if (r.status() != 200) throw new BenchException("GET /api/stacks: HTTP " + r.status() + " " + abbreviate(r.text()));
            Map<String, String> status = new LinkedHashMap<>();
            try {
                Object stacks = ((Map<?, ?>) Json.parse(r.text())).get("stacks");
                for (Object s : (List<?>) stacks) {
                    Map<?, ?> stack = (Map<?, ?>) s;
                    status.put(String.valueOf(stack.get("name")), String.valueOf(stack.get("status")));
                }
            } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
                throw new BenchException("GET /api/stacks: unexpected body: " + abbreviate(r.text()));
            }
            return status;
        }

        /** stats_interval in seconds from GET /api/config (admin), or null when not readable. */
        Integer statsInterval() {
            try {
                Http.Response r = get("/api/config");
                if (r.status() != 200) return null;
                Long v = longOf(((Map<?, ?>) Json.parse(r.text())).get("stats_interval"));
                return v == null || v < 1 || v > 300 ? null : v.intValue();
            } catch (Exception e) {
                return null;
            }
        }

        void deleteAll(List<String> names) {
            if (names.isEmpty()) return;
            System.out.printf("deleting %d bench stacks ...%n", names.size());
            try {
                forEachParallel(names, name -> call("DELETE", "/api/stack/" + name, null));
                System.out.println("  done");
            } catch (Exception e) {
                System.err.println("cleanup incomplete: " + e.getMessage());
            }
        }

        Http.Response get(String path) throws IOException {
            return exchange(Http.request("GET", basePath + path, endpoint.hostHeader, headers, null, true), POLL_TIMEOUT_MS);
        }

        /** One API call that must answer 2xx with "success":true. */
        void call(String method, String path, String json) throws Exception {
            byte[] body = json == null ? null : json.getBytes(StandardCharsets.UTF_8);
            byte[] req = Http.request(method, basePath + path, endpoint.hostHeader, headers, body, true);
            Http.Response r = exchange(req, OPERATION_TIMEOUT_MS);
            if (r.status() / 100 != 2 || !SUCCESS_TRUE.matcher(r.text()).find()) {
                throw new BenchException(method + " " + path + ": HTTP " + r.status() + " " + abbreviate(r.text()));
            }
        }

        Http.Response exchange(byte[] request, int timeoutMs) throws IOException {
            try (Http.Conn c = endpoint.open(timeoutMs)) {
                return c.exchange(request);
            } catch (IOException e) {
                throw new IOException("DockUp at " + o.url + ": " + e.getMessage(), e);
            }
        }
    }

    interface Task {
        void run(String name) throws Exception;
    }

    /** Runs task for each name, PARALLEL_OPS at a time; fails with the first error after all ended. */
    static void forEachParallel(List<String> names, Task task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_OPS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (String name : names) futures.add(pool.submit(() -> { task.run(name); return null; }));
            Exception first = null;
            int failed = 0;
            for (Future<?> f : futures) {
                try {
                    f.get(); // each call is bounded by its socket timeout
                } catch (ExecutionException e) {
                    failed++;
                    if (first == null) first = e.getCause() instanceof Exception x ? x : e;
                }
            }
            if (first != null) throw new BenchException(failed + " of " + names.size() + " failed; first: " + first.getMessage());
        } finally {
            pool.shutdownNow();
        }
    }

    static String abbreviate(Object o) {
        String s = String.valueOf(o).replaceAll("\\s+", " ");
        return s.length() <= 300 ? s : s.substring(0, 300) + " ...";
    }

    static Long longOf(Object v) {
        if (v instanceof Long l) return l;
        if (v instanceof Double d && d == Math.rint(d) && !d.isInfinite()) return d.longValue();
        return null;
    }

    static Double doubleOf(Object v) {
        if (v instanceof Long l) return l.doubleValue();
        if (v instanceof Double d) return d;
        return null;
    }

    // ---------------------------------------------------------------- HTTP/1.1 client

    /** A TCP host:port on loopback, or a Unix socket path. */
    static final class Endpoint {
        final String hostHeader;
        final InetSocketAddress tcp;
        final UnixDomainSocketAddress unix;

        private Endpoint(String hostHeader, InetSocketAddress tcp, UnixDomainSocketAddress unix) {
            this.hostHeader = hostHeader;
            this.tcp = tcp;
            this.unix = unix;
        }

        /** Only loopback: the benchmark must not send traffic anywhere else. */
        static Endpoint loopbackTcp(String host, int port) throws UsageException {
            InetAddress addr;
            try {
                addr = InetAddress.getByName(host);
            } catch (IOException e) {
                throw new UsageException("cannot resolve " + host);
            }
            if (!addr.isLoopbackAddress()) throw new UsageException("--url must point to a loopback address");
            String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
            return new Endpoint(h + ":" + port, new InetSocketAddress(addr, port), null);
        }

        static Endpoint unix(String path) {
            return new Endpoint("docker", null, UnixDomainSocketAddress.of(path));
        }

        /** readTimeoutMs applies to TCP only; Unix channels are unblocked by closing them. */
        Http.Conn open(int readTimeoutMs) throws IOException {
            if (tcp != null) {
                Socket s = new Socket();
                try {
                    s.setTcpNoDelay(true);
                    s.setSoTimeout(readTimeoutMs);
                    s.connect(tcp, 5_000);
                    return new Http.Conn(s, s.getInputStream(), s.getOutputStream());
                } catch (IOException e) {
                    s.close();
                    throw e;
                }
            }
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(unix);
                return new Http.Conn(ch, Channels.newInputStream(ch), Channels.newOutputStream(ch));
            } catch (IOException e) {
                ch.close();
                throw new IOException("unix socket " + unix.getPath() + ": " + e.getMessage(), e);
            }
        }
    }

    static final class Http {
        static final int MAX_LINE = 16 * 1024;
        static final int MAX_HEADERS = 200;
        static final int MAX_BODY = 256 * 1024 * 1024;

        record Response(int status, byte[] body, boolean keepAlive) {
            String text() { return new String(body, StandardCharsets.UTF_8); }
        }

        /** Status line and headers (names lower-cased). */
        record Head(int status, String version, Map<String, String> headers) {
            boolean chunked() {
                return headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked");
            }
        }

        /** The whole request as one byte array, so each request is a single write. */
        static byte[] request(String method, String path, String host, Map<String, String> headers,
                              byte[] body, boolean close) {
            StringBuilder h = new StringBuilder();
            h.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
            h.append("Host: ").append(host).append("\r\n");
            h.append("User-Agent: dockup-feedbench\r\n");
            if (headers != null) headers.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
            if (body != null) {
                h.append("Content-Type: application/json\r\n");
                h.append("Content-Length: ").append(body.length).append("\r\n");
            } else if (method.equals("POST") || method.equals("PUT")) {
                h.append("Content-Length: 0\r\n");
            }
            if (close) h.append("Connection: close\r\n");
            h.append("\r\n");
            byte[] head = h.toString().getBytes(StandardCharsets.UTF_8);
            if (body == null) return head;
            byte[] all = Arrays.copyOf(head, head.length + body.length);
            System.arraycopy(body, 0, all, head.length, body.length);
            return all;
        }

        /** One connection with its own read buffer; not thread-safe. */
        static final class Conn implements Closeable {
            private final Closeable raw;
            private final InputStream in;
            private final OutputStream out;
            private final byte[] buf = new byte[64 * 1024];
            private int pos;
            private int lim;

            Conn(Closeable raw, InputStream in, OutputStream out) {
                this.raw = raw;
                this.in = in;
                this.out = out;
            }

            Response exchange(byte[] request) throws IOException {
                send(request);
                return readBody(readHead());
            }

            void send(byte[] request) throws IOException {
                out.write(request);
                out.flush();
            }

            /** Never called for HEAD requests: this program sends none. Skips interim 1xx answers. */
            Head readHead() throws IOException {
                while (true) {
                    String statusLine = readLine();
                    String[] parts = statusLine.split(" ", 3);
                    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                        throw new IOException("bad status line: " + abbreviate(statusLine));
                    }
                    int status = parseStatus(parts[1]);
                    Map<String, String> headers = readHeaders();
                    if (status >= 100 && status < 200) continue;
                    return new Head(status, parts[0], headers);
                }
            }

            private static int parseStatus(String s) throws IOException {
                try {
                    return Integer.parseInt(s);
                } catch (NumberFormatException e) {
                    throw new IOException("bad status code: " + s);
                }
            }

            /** Header names lower-cased; repeated headers joined with ",". */
            private Map<String, String> readHeaders() throws IOException {
                Map<String, String> headers = new LinkedHashMap<>();
                for (int i = 0; i < MAX_HEADERS; i++) {
                    String line = readLine();
                    if (line.isEmpty()) return headers;
                    int colon = line.indexOf(':');
                    if (colon <= 0) throw new IOException("bad header line: " + abbreviate(line));
                    String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    headers.merge(name, line.substring(colon + 1).trim(), (a, b) -> a + "," + b);
                }
                throw new IOException("too many headers");
            }

            Response readBody(Head head) throws IOException {
                int status = head.status();
                Map<String, String> headers = head.headers();
                String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
                boolean keepAlive = head.version().equals("HTTP/1.1") ? !connection.contains("close")
                        : connection.contains("keep-alive");
                if (status == 204 || status == 304) return new Response(status, new byte[0], keepAlive);
                if (head.chunked()) return new Response(status, readChunked(), keepAlive);
                String cl = headers.get("content-length");
                if (cl != null) return new Response(status, readExactly(parseLength(cl)), keepAlive);
                return new Response(status, readToEof(), false); // body delimited by close
            }

            private static int parseLength(String cl) throws IOException {
                try {
                    long n = Long.parseLong(cl.split(",")[0].trim());
                    if (n < 0 || n > MAX_BODY) throw new IOException("unsupported Content-Length " + cl);
                    return (int) n;
                } catch (NumberFormatException e) {
                    throw new IOException("bad Content-Length " + cl);
                }
            }

            private byte[] readChunked() throws IOException {
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                byte[] chunk;
                while ((chunk = readChunk()) != null) {
                    if (body.size() + (long) chunk.length > MAX_BODY) throw new IOException("chunked body too large");
                    body.write(chunk);
                }
                return body.toByteArray();
            }

            /** The next chunk of a chunked body, or null after the last one (trailers consumed). */
            byte[] readChunk() throws IOException {
                String sizeLine = readLine();
                int semi = sizeLine.indexOf(';'); // chunk extensions are ignored
                String hex = (semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim();
                int size;
                try {
                    size = Integer.parseInt(hex, 16);
                } catch (NumberFormatException e) {
                    throw new IOException("bad chunk size: " + abbreviate(sizeLine));
                }
                if (size < 0 || size > MAX_BODY) throw new IOException("chunk too large");
                if (size == 0) {
                    readHeaders(); // trailers, up to the final empty line
                    return null;
                }
                byte[] chunk = readExactly(size);
                if (!readLine().isEmpty()) throw new IOException("missing CRLF after chunk");
                return chunk;
            }

            private byte[] readExactly(int n) throws IOException {
                byte[] b = new byte[n];
                int at = 0;
                while (at < n) {
                    if (pos == lim && !fill()) throw new EOFException("connection closed mid-body");
                    int k = Math.min(n - at, lim - pos);
                    System.arraycopy(buf, pos, b, at, k);
                    pos += k;
                    at += k;
                }
                return b;
            }

            private byte[] readToEof() throws IOException {
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                while (pos < lim || fill()) {
                    if (body.size() + (long) (lim - pos) > MAX_BODY) throw new IOException("body too large");
                    body.write(buf, pos, lim - pos);
                    pos = lim;
                }
                return body.toByteArray();
            }

            /** A line up to LF, without CR/LF; ISO-8859-1 as HTTP framing is byte-oriented. */
            private String readLine() throws IOException {
                StringBuilder line = new StringBuilder();
                while (true) {
                    if (pos == lim && !fill()) throw new EOFException("connection closed");
                    byte b = buf[pos++];
                    if (b == '\n') break;
                    if (line.length() >= MAX_LINE) throw new IOException("line too long");
                    line.append((char) (b & 0xff));
                }
                int len = line.length();
                if (len > 0 && line.charAt(len - 1) == '\r') line.setLength(len - 1);
                return line.toString();
            }

            private boolean fill() throws IOException {
                int n = in.read(buf, 0, buf.length);
                if (n <= 0) return false;
                pos = 0;
                lim = n;
                return true;
            }

            @Override
            public void close() {
                try {
                    raw.close();
                } catch (IOException ignored) {
                    // nothing useful to do; the connection is gone either way
                }
            }
        }
    }

    // ---------------------------------------------------------------- minimal JSON

    /**
     * Just enough JSON: objects to Map, arrays to List, strings, booleans, null; integers to Long
     * (the engine's timeNano needs all 19 digits), other numbers to Double.
     */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) { this.s = s; }

        static Object parse(String text) {
            Json p = new Json(text);
            Object v = p.value();
            p.ws();
            if (p.i != p.s.length()) throw p.error("trailing data");
            return v;
        }

        static String quote(String text) {
            StringBuilder q = new StringBuilder("\"");
            for (char c : text.toCharArray()) {
                switch (c) {
                    case '"' -> q.append("\\\"");
                    case '\\' -> q.append("\\\\");
                    case '\n' -> q.append("\\n");
                    case '\r' -> q.append("\\r");
                    case '\t' -> q.append("\\t");
                    default -> {
                        if (c < 0x20) q.append(String.format("\\u%04x", (int) c));
                        else q.append(c);
                    }
                }
            }
            return q.append('"').toString();
        }

        private Object value() {
            ws();
            if (i >= s.length()) throw error("unexpected end");
            char c = s.charAt(i);
            switch (c) {
                case '{': return object();
                case '[': return array();
                case '"': return string();
                case 't': return literal("true", Boolean.TRUE);
                case 'f': return literal("false", Boolean.FALSE);
                case 'n': return literal("null", null);
                default: return number();
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            i++; // '{'
            ws();
            if (take('}')) return m;
            do {
                ws();
                if (!at('"')) throw error("expected key");
                String key = string();
                ws();
                expect(':');
                m.put(key, value());
                ws();
            } while (take(','));
            expect('}');
            return m;
        }

        private List<Object> array() {
            List<Object> l = new ArrayList<>();
            i++; // '['
            ws();
            if (take(']')) return l;
            do {
                l.add(value());
                ws();
            } while (take(','));
            expect(']');
            return l;
        }

        private String string() {
            StringBuilder b = new StringBuilder();
            i++; // opening quote
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '"') return b.toString();
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (i >= s.length()) break;
                char e = s.charAt(i++);
                switch (e) {
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) throw error("bad \\u escape");
                        try {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("bad \\u escape");
                        }
                        i += 4;
                    }
                    default -> b.append(e); // '"', '\\', '/'
                }
            }
            throw error("unterminated string");
        }

        private Object literal(String word, Object v) {
            if (!s.startsWith(word, i)) throw error("bad literal");
            i += word.length();
            return v;
        }

        private Object number() {
            int start = i;
            boolean integral = true;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                if ("+.eE".indexOf(s.charAt(i)) >= 0) integral = false;
                i++;
            }
            if (start == i) throw error("unexpected character");
            String n = s.substring(start, i);
            try {
                if (integral) {
                    try {
                        return Long.valueOf(n);
                    } catch (NumberFormatException tooLong) {
                        // beyond long: fall through to Double
                    }
                }
                return Double.valueOf(n);
            } catch (NumberFormatException e) {
                throw error("bad number");
            }
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        private boolean at(char c) {
            return i < s.length() && s.charAt(i) == c;
        }

        /** Consumes c if it is next. */
        private boolean take(char c) {
            if (!at(c)) return false;
            i++;
            return true;
        }

        private void expect(char c) {
            if (!take(c)) throw error("expected '" + c + "'");
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("JSON " + what + " at " + i);
        }
    }
}
