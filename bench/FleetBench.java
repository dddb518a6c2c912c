import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Benchmark of a DockUp fleet (two clustered nodes A and B).
 *
 * <p>Part 1, forwarding overhead: the same read of a stack on B, asked directly on B
 * ({@code GET /api/stack/<name>}) and forwarded by A over the signed event bus
 * ({@code GET /api/nodes/<nodeB>/stack/<name>}); sequential requests on one keep-alive
 * connection per target.
 *
 * <p>Part 2, change propagation: stops containers of B's stack through the engine and measures
 * the delay from the engine's {@code die} event ({@code timeNano}) to A's WebSocket receiving
 * B's {@code stack_status} with one container fewer running.
 *
 * <p>Run with {@code bench/run FleetBench --help}; it needs BenchKit.java and FeedBench.java
 * (whose engine client and event stream it reuses). No dependencies.
 */
public class FleetBench extends BenchKit {

    static final String USER_AGENT = "dockup-fleetbench";
    static final int SERVICES = 3;
    static final int WARMUP_REQUESTS = 50;
    static final int REQUEST_TIMEOUT_MS = 10_000;
    /** Bound of every wait on the feed or the engine within one stop/start iteration. */
    static final long STEP_TIMEOUT_MS = FeedBench.STEP_TIMEOUT_MS;

    // Targets.
    static final double TARGET_EXTRA_P50_MS = 5.0;
    static final double TARGET_PROPAGATION_P99_MS = 100.0;

    public static void main(String[] args) {
        runAndExit(Options.USAGE, () -> run(Options.parse(args)));
    }

    static int run(Options o) throws Exception {
        if (o.help) {
            System.out.println(Options.USAGE);
            return 0;
        }
        DockUp a = new DockUp(o.urlA, o.tokenA, USER_AGENT);
        DockUp b = new DockUp(o.urlB, o.tokenB, USER_AGENT);
        FeedBench.Engine engine = new FeedBench.Engine(o.dockerSocket);
        String stack = checkedName(o.prefix + "-stack");

        engine.ping();
        requireNodeReachable(a, o.nodeB);
        FeedBench.requireAbsent(b, List.of(stack));
        List<String> touched = new ArrayList<>();
        FleetFeed feed = null;
        try {
            List<String> services = new ArrayList<>();
            for (int i = 1; i <= SERVICES; i++) services.add("s" + i);
            System.out.printf("creating and starting %s on %s (%d services) ...%n", stack, o.nodeB, SERVICES);
            touched.add(stack); // before the call: a failed create may still leave a folder
            b.createAndStart(List.of(stack), DockUp.composeYaml(o.image, services), new java.util.LinkedHashSet<>());
            b.awaitRunning(List.of(stack));

            Forwarding f = measureForwarding(o, a, b, stack);
            feed = FleetFeed.open(a, o.tokenA);
            long[] prop = measurePropagation(o, engine, feed, stack);

            f.print(o, stack);
            printPropagation(o, stack, prop, feed.otherNodes());
            return 0;
        } finally {
            if (feed != null) feed.close();
            if (o.keep) {
                System.out.println("keeping " + touched.size() + " bench stack (--keep=true)");
            } else {
                b.deleteAll(touched);
            }
        }
    }

    /** A's GET /api/nodes must list nodeB as reachable (and not as A itself). */
    static void requireNodeReachable(DockUp a, String nodeB) throws Exception {
        Http.Response r = a.get("/api/nodes");
        if (r.status() != 200) throw new BenchException("GET " + a.url + "/api/nodes: HTTP " + r.status() + " " + abbreviate(r.text()));
        try {
            for (Object n : (List<?>) ((Map<?, ?>) Json.parse(r.text())).get("nodes")) {
                Map<?, ?> node = (Map<?, ?>) n;
                if (!nodeB.equals(node.get("name"))) continue;
                if (Boolean.TRUE.equals(node.get("self"))) {
                    throw new BenchException("--node-b=" + nodeB + " is the node at --url-a itself");
                }
                if (!Boolean.TRUE.equals(node.get("reachable"))) {
                    throw new BenchException("node " + nodeB + " is not reachable from " + a.url);
                }
                return;
            }
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw new BenchException("GET /api/nodes: unexpected body: " + abbreviate(r.text()));
        }
        throw new BenchException("node " + nodeB + " is not in GET " + a.url + "/api/nodes: " + abbreviate(r.text()));
    }

    // ---------------------------------------------------------------- part 1: forwarding overhead

    record Forwarding(long[] direct, long[] forwarded, int reconnects) {
        void print(Options o, String stack) {
            double d50 = percentileMs(direct, 50);
            double f50 = percentileMs(forwarded, 50);
            System.out.println();
            System.out.printf("== forwarding overhead: GET %s (%d requests each, after %d warm-up, 1 keep-alive connection)%n",
                    stack, o.requests, WARMUP_REQUESTS);
            System.out.printf("  direct on B     p50 %.3f ms  p99 %.3f ms  (GET %s/api/stack/%s)%n",
                    d50, percentileMs(direct, 99), o.urlB, stack);
            System.out.printf("  forwarded via A p50 %.3f ms  p99 %.3f ms  (GET %s/api/nodes/%s/stack/%s)%n",
                    f50, percentileMs(forwarded, 99), o.urlA, o.nodeB, stack);
            System.out.printf("  extra p50       %.3f ms%n", f50 - d50);
            if (reconnects > 0) System.out.printf("  note            %d reconnects (the server closed the connection)%n", reconnects);
            System.out.println();
            System.out.println("target:");
            FeedBench.target("extra p50 <= 5 ms", f50 - d50 <= TARGET_EXTRA_P50_MS, String.format("%.3f ms", f50 - d50));
        }
    }

    static Forwarding measureForwarding(Options o, DockUp a, DockUp b, String stack) throws Exception {
        System.out.printf("part 1: forwarding overhead, %d + %d requests per target ...%n", WARMUP_REQUESTS, o.requests);
        int[] reconnects = new int[1];
        long[] direct = timeReads(b, "/api/stack/" + stack, o.requests, reconnects);
        long[] forwarded = timeReads(a, "/api/nodes/" + o.nodeB + "/stack/" + stack, o.requests, reconnects);
        return new Forwarding(direct, forwarded, reconnects[0]);
    }

    /** Sequential GETs on one keep-alive connection; warm-up first; sorted nanoseconds. */
    static long[] timeReads(DockUp d, String path, int n, int[] reconnects) throws Exception {
        byte[] req = d.request("GET", path, null, false);
        long[] nanos = new long[n];
        Http.Conn c = d.endpoint.open(REQUEST_TIMEOUT_MS);
        try {
            for (int i = -WARMUP_REQUESTS; i < n; i++) {
                long t0 = System.nanoTime();
                Http.Response r;
                try {
                    r = c.exchange(req);
                } catch (java.io.IOException e) {
                    throw new java.io.IOException("GET " + d.url + path + ": " + e.getMessage(), e);
                }
                long t = System.nanoTime() - t0;
                if (r.status() != 200) {
                    throw new BenchException("GET " + d.url + path + ": HTTP " + r.status() + " " + abbreviate(r.text()));
                }
                if (i >= 0) nanos[i] = t;
                if (!r.keepAlive()) {
                    c.close();
                    c = d.endpoint.open(REQUEST_TIMEOUT_MS);
                    reconnects[0]++;
                }
            }
        } finally {
            c.close();
        }
        Arrays.sort(nanos);
        return nanos;
    }

    // ---------------------------------------------------------------- part 2: change propagation

    static long[] measurePropagation(Options o, FeedBench.Engine engine, FleetFeed feed, String stack) throws Exception {
        System.out.printf("part 2: change propagation, %d stops on %s of %s, feed of %s ...%n", o.stops, stack, o.nodeB, o.urlA);
        feed.watch(o.nodeB, stack);
        feed.subscribe(List.of(o.nodeB + "/" + stack));
        // The starting count is B's own (all running, checked in the setup) and the engine's, not
        // A's snapshot, which holds B's state as A last heard it.
        int up = engine.runningContainers(stack).size();
        if (up != SERVICES) throw new BenchException(stack + ": engine shows " + up + " of " + SERVICES + " containers running");
        feed.seed(SERVICES);

        String filters = "{\"type\":[\"container\"],\"event\":[\"die\"],\"label\":[\"com.docker.compose.project=" + stack + "\"]}";
        long[] latencies = new long[o.stops];
        try (FeedBench.EventStream events = engine.events(filters)) {
            String stoppedId = null;
            try {
                for (int i = 0; i < o.stops; i++) {
                    List<FeedBench.Container> running = engine.runningContainers(stack);
                    if (running.isEmpty()) throw new BenchException(stack + ": no running container");
                    int n = feed.awaitLatestRunning(running.size(), STEP_TIMEOUT_MS);
                    FeedBench.Container c = running.get(i % running.size());

                    events.clear();
                    long mark = feed.mark();
                    stoppedId = c.id();
                    engine.stop(c.id());
                    FeedBench.Event die = events.awaitDie(c.id(), deadlineIn(STEP_TIMEOUT_MS));
                    long received = feed.awaitRunningAfter(n - 1, mark, deadlineIn(STEP_TIMEOUT_MS));
                    latencies[i] = received - die.timeNano();

                    engine.start(c.id());
                    stoppedId = null;
                    feed.awaitLatestRunning(n, STEP_TIMEOUT_MS);
                    if ((i + 1) % 10 == 0 || i + 1 == o.stops) {
                        System.out.printf("  %d/%d stops, last %.3f ms%n", i + 1, o.stops, latencies[i] / 1e6);
                    }
                }
            } finally {
                if (stoppedId != null) FeedBench.restartQuietly(engine, stoppedId);
            }
        }
        Arrays.sort(latencies);
        return latencies;
    }

    static void printPropagation(Options o, String stack, long[] s, int otherNodes) {
        double p99 = percentileMs(s, 99);
        System.out.println();
        System.out.printf("== change propagation: engine die event on %s -> stack_status on A's WebSocket (%s, %d services)%n",
                o.nodeB, stack, SERVICES);
        System.out.printf("  count       %d%n", s.length);
        System.out.printf("  p50 ms      %.3f%n", percentileMs(s, 50));
        System.out.printf("  p99 ms      %.3f%n", p99);
        System.out.printf("  max ms      %.3f%n", s.length == 0 ? Double.NaN : s[s.length - 1] / 1e6);
        if (s.length > 0 && s[0] < 0) {
            System.out.println("  note        negative latencies: DockUp and the engine do not share this clock");
        }
        if (otherNodes > 0) {
            System.out.printf("  note        %d stack_status of %s from other nodes ignored%n", otherNodes, stack);
        }
        System.out.println();
        String note = s.length < 100 ? " -- with fewer than 100 stops p99 is the maximum" : "";
        System.out.println("target" + note + ":");
        FeedBench.target("p99 <= 100 ms", p99 <= TARGET_PROPAGATION_P99_MS, String.format("%.3f ms", p99));
    }

    // ---------------------------------------------------------------- A's live feed

    record Status(long seq, long receivedNs, int running) {}

    /** A WebSocket client of A's /ws that follows the stack_status messages of one stack of one node. */
    static final class FleetFeed extends JsonFeedListener {
        static final int MAX_HISTORY = 100_000;

        // Guarded by lock.
        private String node;
        private String stack;
        private Integer latest;
        /** Latest running per "node/stack" of every stack_status, also before watch() (the snapshot). */
        private final Map<String, Integer> latestByKey = new LinkedHashMap<>();
        private final List<Status> history = new ArrayList<>();
        private final Map<String, Integer> types = new LinkedHashMap<>();
        private int otherNodes;
        private long seq;

        static FleetFeed open(DockUp a, String token) throws Exception {
            FleetFeed feed = new FleetFeed();
            feed.connect(a, token);
            return feed;
        }

        @Override
        void handle(Map<?, ?> m, String text, long received) {
            String type = String.valueOf(m.get("type"));
            synchronized (lock) {
                types.merge(type, 1, Integer::sum);
                if (!type.equals("stack_status")) return;
                Long running = FeedBench.longOf(m.get("running"));
                if (running == null) return;
                latestByKey.put(m.get("node") + "/" + m.get("stack"), running.intValue());
                if (stack == null || !stack.equals(m.get("stack"))) return;
                if (!node.equals(m.get("node"))) {
                    otherNodes++; // e.g. A's own view of the containers on a shared engine
                    return;
                }
                latest = running.intValue();
                if (history.size() < MAX_HISTORY) history.add(new Status(++seq, received, latest));
                lock.notifyAll();
            }
        }

        void watch(String node, String stack) {
            synchronized (lock) {
                this.node = node;
                this.stack = stack;
                latest = latestByKey.get(node + "/" + stack);
                history.clear();
            }
        }

        /** The starting count when no stack_status of the watched stack has arrived yet. */
        void seed(int n) {
            synchronized (lock) {
                if (latest == null) latest = n;
            }
        }

        long mark() {
            synchronized (lock) {
                history.clear();
                return seq;
            }
        }

        int awaitLatestRunning(int n, long timeoutMs) throws Exception {
            long deadline = deadlineIn(timeoutMs);
            synchronized (lock) {
                while (true) {
                    checkOpen();
                    if (latest != null && latest == n) return n;
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new BenchException("feed: " + node + "/" + stack + " still shows running=" + latest + ", expected "
                                + n + " within " + timeoutMs + " ms; messages so far " + types + ", latest running by node/stack "
                                + abbreviate(latestByKey));
                    }
                    waitNanos(left);
                }
            }
        }

        long awaitRunningAfter(int n, long mark, long deadline) throws Exception {
            synchronized (lock) {
                while (true) {
                    for (Status s : history) {
                        if (s.seq() > mark && s.running() == n) return s.receivedNs();
                    }
                    checkOpen();
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new BenchException("feed: no stack_status for " + node + "/" + stack + " with running=" + n
                                + " within " + STEP_TIMEOUT_MS + " ms of the stop (latest running=" + latest + ")");
                    }
                    waitNanos(left);
                }
            }
        }

        int otherNodes() {
            synchronized (lock) {
                return otherNodes;
            }
        }
    }

    // ---------------------------------------------------------------- options

    static final class Options {
        static final String USAGE = String.join("\n",
                "usage: bench/run FleetBench --node-b=NAME [--key=value ...]",
                "  --url-a=http://127.0.0.1:5000       node A (loopback only): forwards, and its /ws is the feed measured",
                "  --url-b=http://127.0.0.1:5001       node B (loopback only): owns the bench stack",
                "  --token-a=                          sent as X-API-Token to A (requests and WebSocket)",
                "  --token-b=                          sent as X-API-Token to B",
                "  --node-b=                           B's node name (required), as in A's GET /api/nodes",
                "  --docker-socket=/var/run/docker.sock  B's Docker engine (on this host)",
                "  --image=dockup-test/busybox:1       image of every service",
                "  --prefix=fleetbench                 the stack <prefix>-stack on B",
                "  --requests=500                      part 1: measured requests per target (1..100000)",
                "  --stops=30                          part 2: containers stopped and started again (1..10000)",
                "  --keep=false                        keep the stack afterwards");

        String urlA = "http://127.0.0.1:5000";
        String urlB = "http://127.0.0.1:5001";
        String tokenA = "";
        String tokenB = "";
        String nodeB = "";
        String dockerSocket = "/var/run/docker.sock";
        String image = "dockup-test/busybox:1";
        String prefix = "fleetbench";
        int requests = 500;
        int stops = 30;
        boolean keep = false;
        boolean help = false;

        static Options parse(String[] args) throws UsageException {
            Options o = new Options();
            o.help = parseArgs(args, o::set);
            if (o.help) return o;
            if (o.image.isBlank() || o.image.matches(".*[\\s\"'\\\\].*")) {
                throw new UsageException("--image must be a plain image reference");
            }
            if (o.nodeB.isEmpty()) throw new UsageException("--node-b is required");
            if (!o.nodeB.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) throw new UsageException("--node-b must be a plain node name");
            if (o.tokenA.matches(".*[\\r\\n].*") || o.tokenB.matches(".*[\\r\\n].*")) {
                throw new UsageException("--token-a and --token-b must be one line");
            }
            if (o.urlA.equals(o.urlB)) throw new UsageException("--url-a and --url-b must differ");
            return o;
        }

        private void set(String key, String v) throws UsageException {
            switch (key) {
                case "url-a" -> urlA = v;
                case "url-b" -> urlB = v;
                case "token-a" -> tokenA = v;
                case "token-b" -> tokenB = v;
                case "node-b" -> nodeB = v;
                case "docker-socket" -> dockerSocket = v;
                case "image" -> image = v;
                case "prefix" -> prefix = v;
                case "requests" -> requests = intIn(key, v, 1, 100_000);
                case "stops" -> stops = intIn(key, v, 1, 10_000);
                case "keep" -> keep = bool(key, v);
                default -> throw new UsageException("unknown option --" + key);
            }
        }
    }
}
