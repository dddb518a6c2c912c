import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Benchmark of DockUp's in-memory {@code GET /api/stacks} against the Docker engine's own
 * {@code GET /containers/json?all=1}.
 *
 * <p>Creates N two-service stacks through DockUp, waits until they all run, then measures both
 * listings with the same number of keep-alive connections for the same duration, prints the
 * figures and compares them to the targets, and finally deletes the stacks.
 *
 * <p>Run with {@code bench/run StacksBench --help}; it needs BenchKit.java. No dependencies: a
 * hand-written HTTP/1.1 client is used because java.net.http.HttpClient adds overhead that would
 * distort sub-millisecond latencies.
 */
public class StacksBench extends BenchKit {

    static final String USER_AGENT = "dockup-stacksbench";
    static final int WARMUP_SECONDS = 2;
    /** Read timeout of the measuring clients' TCP connections. */
    static final int READ_TIMEOUT_MS = 10_000;

    // Targets, defined at N=100 with 8 connections.
    static final double TARGET_P50_MS = 1.0;
    static final double TARGET_P99_MS = 10.0;
    static final double TARGET_RPS = 3000;
    static final double TARGET_SPEEDUP = 5.0;

    public static void main(String[] args) {
        runAndExit(Options.USAGE, () -> run(Options.parse(args)));
    }

    static int run(Options o) throws Exception {
        if (o.help) {
            System.out.println(Options.USAGE);
            return 0;
        }
        Endpoint engine = Endpoint.unix(o.dockerSocket, USER_AGENT);
        byte[] engineRequest = engine.request("GET", "/containers/json?all=1", null, null, false);
        if (o.engineOnly) {
            Result e = measure("Docker engine GET /containers/json?all=1", engine, engineRequest, o);
            e.print();
            return e.failed() ? 1 : 0;
        }

        DockUp dockup = new DockUp(o.url, o.token, USER_AGENT);
        List<String> names = stackNames(o);
        requireAbsent(dockup, names);
        Set<String> touched = Collections.synchronizedSet(new LinkedHashSet<>());
        try {
            System.out.printf("creating and starting %d stacks (%d at a time) ...%n", names.size(), PARALLEL_OPS);
            dockup.createAndStart(names, DockUp.composeYaml(o.image, List.of("a", "b")), touched);
            dockup.awaitRunning(names);
            System.out.println("all " + names.size() + " bench stacks are running");
            // Keep-alive request: the measuring clients send it again and again on one connection.
            byte[] stacksRequest = dockup.request("GET", "/api/stacks", null, false);
            Result d = measure("DockUp GET /api/stacks", dockup.endpoint, stacksRequest, o);
            Result e = measure("Docker engine GET /containers/json?all=1", engine, engineRequest, o);
            d.print();
            e.print();
            printComparison(o, d, e);
            return d.failed() || e.failed() ? 1 : 0;
        } finally {
            if (o.keep) {
                System.out.println("keeping " + touched.size() + " bench stacks (--keep=true)");
            } else {
                dockup.deleteAll(new ArrayList<>(touched));
            }
        }
    }

    static List<String> stackNames(Options o) throws UsageException {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= o.n; i++) names.add(checkedName(o.prefix + "-" + i));
        return names;
    }

    /** Refuses to run over existing stacks: cleanup would otherwise delete someone's stack. */
    static void requireAbsent(DockUp dockup, List<String> names) throws Exception {
        Set<String> existing = new LinkedHashSet<>(dockup.listStacks().keySet());
        existing.retainAll(names);
        DockUp.refuseExisting(existing);
    }

    // ---------------------------------------------------------------- options

    static final class Options {
        static final String USAGE = String.join("\n",
                "usage: bench/run StacksBench [--key=value ...]",
                "  --url=http://127.0.0.1:5000         DockUp base URL (loopback only)",
                "  --n=100                             number of bench stacks (1..1000)",
                "  --docker-socket=/var/run/docker.sock",
                "  --connections=8                     concurrent keep-alive clients (1..256)",
                "  --seconds=10                        measurement time per target (1..300), after 2 s warm-up",
                "  --image=dockup-test/busybox:1       image for both services of each stack",
                "  --prefix=bench                      stack names are <prefix>-1 .. <prefix>-N",
                "  --keep=false                        keep the stacks afterwards",
                "  --token=                            sent as X-API-Token on every DockUp request",
                "  --engine-only=false                 only measure the Docker engine (no DockUp needed)");

        String url = "http://127.0.0.1:5000";
        int n = 100;
        String dockerSocket = "/var/run/docker.sock";
        int connections = 8;
        int seconds = 10;
        String image = "dockup-test/busybox:1";
        String prefix = "bench";
        boolean keep = false;
        String token = "";
        boolean engineOnly = false;
        boolean help = false;

        static Options parse(String[] args) throws UsageException {
            Options o = new Options();
            o.help = parseArgs(args, o::set);
            if (o.image.isBlank() || o.image.matches(".*[\\s\"'].*")) {
                throw new UsageException("--image must be a plain image reference");
            }
            return o;
        }

        private void set(String key, String v) throws UsageException {
            switch (key) {
                case "url" -> url = v;
                case "n" -> n = intIn(key, v, 1, 1000);
                case "docker-socket" -> dockerSocket = v;
                case "connections" -> connections = intIn(key, v, 1, 256);
                case "seconds" -> seconds = intIn(key, v, 1, 300);
                case "image" -> image = v;
                case "prefix" -> prefix = v;
                case "keep" -> keep = bool(key, v);
                case "token" -> token = v;
                case "engine-only" -> engineOnly = bool(key, v);
                default -> throw new UsageException("unknown option --" + key);
            }
        }
    }

    // ---------------------------------------------------------------- measurement

    /**
     * Runs one client thread per connection, each looping sequential requests on its own
     * keep-alive connection; latencies of requests started after the warm-up are recorded.
     */
    static Result measure(String label, Endpoint ep, byte[] request, Options o) throws Exception {
        System.out.printf("measuring %s: %d connections, %d s warm-up + %d s ...%n",
                label, o.connections, WARMUP_SECONDS, o.seconds);
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < o.connections; i++) clients.add(new Client(ep, request));
        for (Client c : clients) c.connect(); // connect before the clock starts

        long start = System.nanoTime();
        long measureStart = start + TimeUnit.SECONDS.toNanos(WARMUP_SECONDS);
        long end = measureStart + TimeUnit.SECONDS.toNanos(o.seconds);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (Client c : clients) {
            Thread t = new Thread(() -> c.loop(go, measureStart, end), "client");
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        go.countDown();
        joinOrAbort(threads, clients, end);
        return Result.of(label, clients, measureStart);
    }

    /** Unix socket reads have no timeout, so a stuck client is unblocked by closing its channel. */
    static void joinOrAbort(List<Thread> threads, List<Client> clients, long end) throws Exception {
        long graceEnd = end + TimeUnit.SECONDS.toNanos(READ_TIMEOUT_MS / 1000 + 5);
        for (Thread t : threads) {
            long leftMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(graceEnd - System.nanoTime()));
            t.join(leftMs);
        }
        for (Client c : clients) c.close();
        for (Thread t : threads) {
            t.join(1000);
            if (t.isAlive()) throw new TimeoutException("a client thread did not stop");
        }
    }

    static final class Client {
        final Endpoint ep;
        final byte[] request;
        volatile Http.Conn conn;
        long[] latencies = new long[1 << 16];
        int count;
        long lastFinish;
        int bodyBytes;
        String error;

        Client(Endpoint ep, byte[] request) {
            this.ep = ep;
            this.request = request;
        }

        void connect() throws IOException {
            conn = ep.open(READ_TIMEOUT_MS);
        }

        /** Stops at the first error: it is reported and fails the run, no point in hiding it. */
        void loop(CountDownLatch go, long measureStart, long end) {
            try {
                go.await();
                long t0;
                while ((t0 = System.nanoTime()) < end) {
                    Http.Response r = conn.exchange(request);
                    long t1 = System.nanoTime();
                    if (r.status() != 200) {
                        error = "HTTP " + r.status() + " " + abbreviate(r.text());
                        return;
                    }
                    if (t0 >= measureStart) record(t1 - t0, t1);
                    bodyBytes = r.body().length;
                    if (!r.keepAlive()) reconnect();
                }
            } catch (Exception e) {
                error = e.toString();
            }
        }

        private void record(long nanos, long finish) {
            if (count == latencies.length) latencies = Arrays.copyOf(latencies, count * 2);
            latencies[count++] = nanos;
            lastFinish = finish;
        }

        private void reconnect() throws IOException {
            conn.close();
            connect();
        }

        void close() {
            Http.Conn c = conn;
            if (c != null) c.close();
        }
    }

    record Result(String label, int connections, long[] sorted, double windowSeconds, int bodyBytes,
                  List<String> errors) {

        static Result of(String label, List<Client> clients, long measureStart) {
            int total = 0;
            long lastFinish = measureStart;
            int bodyBytes = 0;
            List<String> errors = new ArrayList<>();
            for (Client c : clients) {
                total += c.count;
                lastFinish = Math.max(lastFinish, c.lastFinish);
                bodyBytes = Math.max(bodyBytes, c.bodyBytes);
                if (c.error != null) errors.add(c.error);
            }
            long[] all = new long[total];
            int at = 0;
            for (Client c : clients) {
                System.arraycopy(c.latencies, 0, all, at, c.count);
                at += c.count;
            }
            Arrays.sort(all);
            double window = (lastFinish - measureStart) / 1e9;
            return new Result(label, clients.size(), all, window, bodyBytes, errors);
        }

        boolean failed() { return !errors.isEmpty() || sorted.length == 0; }

        double rps() { return windowSeconds > 0 ? sorted.length / windowSeconds : 0; }

        double pMs(double p) { return percentileMs(sorted, p); }

        void print() {
            System.out.println();
            System.out.printf("== %s (%d connections, %.1f s)%n", label, connections, windowSeconds);
            System.out.printf("  requests    %d%n", sorted.length);
            System.out.printf("  requests/s  %.1f%n", rps());
            printPercentiles(sorted);
            System.out.printf("  body bytes  %d%n", bodyBytes);
            for (String e : errors) System.out.println("  ERROR       " + e);
        }
    }

    static void printComparison(Options o, Result dockup, Result engine) {
        double speedup = engine.pMs(50) / dockup.pMs(50);
        double rpsRatio = dockup.rps() / engine.rps();
        System.out.println();
        System.out.printf("engine p50 / dockup p50  = %.2fx%n", speedup);
        System.out.printf("dockup rps / engine rps  = %.2fx%n", rpsRatio);
        System.out.println();
        String note = o.n == 100 && o.connections == 8 ? "" : " -- this run: N=" + o.n + ", " + o.connections + " connections";
        System.out.println("targets (defined at N=100, 8 connections; informative)" + note + ":");
        target("p50 <= 1 ms", dockup.pMs(50) <= TARGET_P50_MS, String.format("%.3f ms", dockup.pMs(50)));
        target("p99 <= 10 ms", dockup.pMs(99) <= TARGET_P99_MS, String.format("%.3f ms", dockup.pMs(99)));
        target(">= 3,000 requests/s", dockup.rps() >= TARGET_RPS, String.format("%.1f /s", dockup.rps()));
        target(">= 5x faster than engine (p50)", speedup >= TARGET_SPEEDUP, String.format("%.2fx", speedup));
    }

    static void target(String what, boolean pass, String actual) {
        System.out.printf("  %-32s %-4s (%s)%n", what, pass ? "PASS" : "MISS", actual);
    }
}
