import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

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
 * <p>Run with {@code bench/run FeedBench --help}; it needs BenchKit.java. No dependencies.
 * DockUp setup calls and the Docker engine use BenchKit's hand-written HTTP/1.1 client (the
 * engine over its Unix socket); the WebSocket uses java.net.http, whose overhead is far below
 * the millisecond-scale delays measured here.
 */
public class FeedBench extends BenchKit {

    static final String USER_AGENT = "dockup-feedbench";

    /** Bound of every wait on the feed or the engine within one stop/start iteration. */
    static final long STEP_TIMEOUT_MS = 10_000;
    /** Bound of the wait for the bench stack's first stack_status (snapshot) with every container up. */
    static final long INITIAL_STATUS_TIMEOUT_MS = 30_000;
    static final int ENGINE_TIMEOUT_MS = 30_000;

    // Targets.
    static final double TARGET_LATENCY_P99_MS = 50.0;
    static final double TARGET_SAMPLE_SHARE = 0.5; // max sample_ms < interval_ms / 2


    public static void main(String[] args) {
        runAndExit(Options.USAGE, () -> run(Options.parse(args)));
    }

    static int run(Options o) throws Exception {
        if (o.help) {
            System.out.println(Options.USAGE);
            return 0;
        }
        DockUp dockup = new DockUp(o.url, o.token, USER_AGENT);
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
        requireAbsent(dockup, all);
        Set<String> touched = Collections.synchronizedSet(new LinkedHashSet<>());
        Feed feed = null;
        try {
            if (feedStack != null) {
                List<String> services = new ArrayList<>();
                for (int i = 1; i <= o.services; i++) services.add("s" + i);
                createAndStart(o, dockup, List.of(feedStack), services, touched);
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
            double p99 = percentileMs(s, 99);
            System.out.println();
            System.out.printf("== change latency: engine die event -> WebSocket stack_status (%s, %d services)%n",
                    stack, o.services);
            System.out.printf("  count       %d%n", s.length);
            System.out.printf("  min ms      %.3f%n", s.length == 0 ? Double.NaN : s[0] / 1e6);
            System.out.printf("  mean ms     %.3f%n", mean);
            printPercentiles(s);
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

    static void target(String what, boolean pass, String actual) {
        System.out.printf("  %-34s %-4s (%s)%n", what, pass ? "PASS" : "MISS", actual);
    }

    // ---------------------------------------------------------------- part B: stats tick time

    static TickResult measureTicks(Options o, DockUp dockup, Feed feed, List<String> stacks, Set<String> touched)
            throws Exception {
        System.out.printf("part B: stats tick time, %d stacks x 2 services = %d containers ...%n",
                stacks.size(), stacks.size() * 2);
        feed.subscribe(List.of()); // every stack's messages
        createAndStart(o, dockup, stacks, List.of("a", "b"), touched);
        dockup.awaitRunning(stacks);
        System.out.println("  all " + stacks.size() + " stacks are running");
        Integer hint = statsInterval(dockup);
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
            System.out.printf("  sample p50 ms     %.3f%n", percentileMs(sample, 50));
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
                "usage: bench/run FeedBench [--key=value ...]",
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
            o.help = parseArgs(args, o::set);
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
    }

    // ---------------------------------------------------------------- the live feed (WebSocket)

    record Status(long seq, long receivedNs, int running) {}

    /**
     * The WebSocket client. The listener records every message with its arrival time; the main
     * thread waits on {@code lock} for what it needs, always with a deadline.
     */
    static final class Feed extends JsonFeedListener {
        static final int MAX_HISTORY = 100_000;

        // Guarded by lock.
        private final Map<String, Integer> latestRunning = new HashMap<>();
        private final Map<String, Integer> types = new LinkedHashMap<>();
        private String watched;
        private final List<Status> history = new ArrayList<>();
        private long seq;
        private Stats stats;
        private int malformed;
        private String firstMalformed;

        static Feed open(Options o, DockUp dockup) throws Exception {
            Feed feed = new Feed();
            feed.connect(dockup, o.token);
            return feed;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
            if (last) count("(binary)");
            webSocket.request(1);
            return null;
        }

        private void count(String type) {
            synchronized (lock) {
                types.merge(type, 1, Integer::sum);
            }
        }

        @Override
        void handle(Map<?, ?> m, String text, long received) {
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

        @Override
        void malformed(String text) {
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
            this.ep = Endpoint.unix(socketPath, USER_AGENT);
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
            return ep.exchange(method, path, null, ENGINE_TIMEOUT_MS);
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
                c.send(ep.request("GET", path, null, null, false));
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

    /** Refuses to run over existing stacks: cleanup would otherwise delete someone's stack. */
    static void requireAbsent(DockUp dockup, List<String> names) throws Exception {
        List<String> existing = new ArrayList<>();
        for (String name : names) {
            Http.Response r = dockup.get("/api/stack/" + name);
            if (r.status() == 200) existing.add(name);
            else if (r.status() != 404) {
                throw new BenchException("GET /api/stack/" + name + ": HTTP " + r.status() + " " + abbreviate(r.text()));
            }
        }
        DockUp.refuseExisting(existing);
    }

    static void createAndStart(Options o, DockUp dockup, List<String> names, List<String> services,
                               Set<String> touched) throws Exception {
        System.out.printf("creating and starting %d stack%s of %d services (%d at a time) ...%n",
                names.size(), names.size() == 1 ? "" : "s", services.size(), PARALLEL_OPS);
        dockup.createAndStart(names, DockUp.composeYaml(o.image, services), touched);
    }

    /** stats_interval in seconds from GET /api/config (admin), or null when not readable. */
    static Integer statsInterval(DockUp dockup) {
        try {
            Http.Response r = dockup.get("/api/config");
            if (r.status() != 200) return null;
            Long v = longOf(((Map<?, ?>) Json.parse(r.text())).get("stats_interval"));
            return v == null || v < 1 || v > 300 ? null : v.intValue();
        } catch (Exception e) {
            return null;
        }
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
}
