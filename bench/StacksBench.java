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
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Benchmark of DockUp's in-memory {@code GET /api/stacks} against the Docker engine's own
 * {@code GET /containers/json?all=1}.
 *
 * <p>Creates N two-service stacks through DockUp, waits until they all run, then measures both
 * listings with the same number of keep-alive connections for the same duration, prints the
 * figures and compares them to the targets, and finally deletes the stacks.
 *
 * <p>Run with Java's single-file launcher: {@code java bench/StacksBench.java --help}.
 * No dependencies: a hand-written HTTP/1.1 client is used because java.net.http.HttpClient adds
 * overhead that would distort sub-millisecond latencies.
 */
public class StacksBench {

    static final Pattern STACK_NAME = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,62}$");
    static final Pattern SUCCESS_TRUE = Pattern.compile("\"success\"\\s*:\\s*true");
    static final int WARMUP_SECONDS = 2;
    static final int PARALLEL_OPS = 4;

    // Targets, defined at N=100 with 8 connections.
    static final double TARGET_P50_MS = 1.0;
    static final double TARGET_P99_MS = 10.0;
    static final double TARGET_RPS = 3000;
    static final double TARGET_SPEEDUP = 5.0;

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
        Endpoint engine = Endpoint.unix(o.dockerSocket);
        byte[] engineRequest = Http.request("GET", "/containers/json?all=1", engine.hostHeader, null, null, false);
        if (o.engineOnly) {
            Result e = measure("Docker engine GET /containers/json?all=1", engine, engineRequest, o);
            e.print();
            return e.failed() ? 1 : 0;
        }

        DockUp dockup = new DockUp(o);
        List<String> names = stackNames(o);
        dockup.requireAbsent(names);
        Set<String> touched = Collections.synchronizedSet(new LinkedHashSet<>());
        try {
            dockup.createAndStart(names, touched);
            dockup.awaitRunning(names);
            Result d = measure("DockUp GET /api/stacks", dockup.endpoint, dockup.stacksRequest(), o);
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
        for (int i = 1; i <= o.n; i++) {
            String name = o.prefix + "-" + i;
            if (!STACK_NAME.matcher(name).matches()) {
                throw new UsageException("stack name '" + name + "' does not match " + STACK_NAME.pattern());
            }
            names.add(name);
        }
        return names;
    }

    // ---------------------------------------------------------------- options

    static final class Options {
        static final String USAGE = String.join("\n",
                "usage: java bench/StacksBench.java [--key=value ...]",
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

        byte[] stacksRequest() {
            return Http.request("GET", basePath + "/api/stacks", endpoint.hostHeader, headers, null, false);
        }

        /** Refuses to run over existing stacks: cleanup would otherwise delete someone's stack. */
        void requireAbsent(List<String> names) throws Exception {
            Set<String> existing = new LinkedHashSet<>(listStacks(POLL_TIMEOUT_MS).keySet());
            existing.retainAll(names);
            if (!existing.isEmpty()) {
                throw new BenchException("stacks already exist: " + abbreviate(existing)
                        + " (delete them or choose another --prefix)");
            }
        }

        void createAndStart(List<String> names, Set<String> touched) throws Exception {
            System.out.printf("creating and starting %d stacks (%d at a time) ...%n", names.size(), PARALLEL_OPS);
            long t0 = System.nanoTime();
            forEachParallel(names, name -> {
                touched.add(name); // before the call: a failed create may still leave a folder
                call("POST", "/api/stack/" + name + "/compose", "{\"content\":" + Json.quote(composeYaml()) + "}");
                call("POST", "/api/stack/" + name + "/operation", "{\"operation\":\"up\"}");
            });
            System.out.printf("  done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        }

        String composeYaml() {
            StringBuilder y = new StringBuilder("services:\n");
            for (String service : List.of("a", "b")) {
                y.append("  ").append(service).append(":\n")
                        .append("    image: ").append(o.image).append('\n')
                        .append("    init: true\n")
                        .append("    command: [\"sleep\", \"3600\"]\n")
                        .append("    stop_grace_period: 1s\n");
            }
            return y.toString();
        }

        void awaitRunning(List<String> names) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
            Map<String, String> status = Map.of();
            while (System.nanoTime() < deadline) {
                status = listStacks(POLL_TIMEOUT_MS);
                List<String> pending = notRunning(names, status);
                if (pending.isEmpty()) {
                    System.out.println("all " + names.size() + " bench stacks are running");
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
        Map<String, String> listStacks(int timeoutMs) throws Exception {
            Http.Response r = exchange(stacksRequest(), timeoutMs);
            if (r.status() != 200) throw new BenchException("GET /api/stacks: HTTP " + r.status() + " " + r.text());
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
        long graceEnd = end + TimeUnit.SECONDS.toNanos(Endpoint.READ_TIMEOUT_MS / 1000 + 5);
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
            conn = ep.open(Endpoint.READ_TIMEOUT_MS);
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

        /** Nearest-rank percentile in milliseconds. */
        double pMs(double p) {
            if (sorted.length == 0) return Double.NaN;
            int rank = (int) Math.ceil(p / 100.0 * sorted.length);
            return sorted[Math.max(0, rank - 1)] / 1e6;
        }

        double maxMs() { return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6; }

        void print() {
            System.out.println();
            System.out.printf("== %s (%d connections, %.1f s)%n", label, connections, windowSeconds);
            System.out.printf("  requests    %d%n", sorted.length);
            System.out.printf("  requests/s  %.1f%n", rps());
            System.out.printf("  p50 ms      %.3f%n", pMs(50));
            System.out.printf("  p90 ms      %.3f%n", pMs(90));
            System.out.printf("  p99 ms      %.3f%n", pMs(99));
            System.out.printf("  max ms      %.3f%n", maxMs());
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

    // ---------------------------------------------------------------- HTTP/1.1 client

    /** A TCP host:port on loopback, or a Unix socket path. */
    static final class Endpoint {
        static final int READ_TIMEOUT_MS = 10_000;

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
                    s.setTcpNoDelay(true); // requests are single small writes; never wait for Nagle
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

        /** The whole request as one byte array, so each request is a single write. */
        static byte[] request(String method, String path, String host, Map<String, String> headers,
                              byte[] body, boolean close) {
            StringBuilder h = new StringBuilder();
            h.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
            h.append("Host: ").append(host).append("\r\n");
            h.append("User-Agent: dockup-stacksbench\r\n");
            if (headers != null) headers.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
            if (body != null) {
                h.append("Content-Type: application/json\r\n");
                h.append("Content-Length: ").append(body.length).append("\r\n");
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
                out.write(request);
                out.flush();
                return readResponse();
            }

            /** Never called for HEAD requests: this program sends none. */
            Response readResponse() throws IOException {
                while (true) {
                    String statusLine = readLine();
                    String[] parts = statusLine.split(" ", 3);
                    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                        throw new IOException("bad status line: " + abbreviate(statusLine));
                    }
                    int status = parseStatus(parts[1]);
                    Map<String, String> headers = readHeaders();
                    if (status >= 100 && status < 200) continue; // interim response; the real one follows
                    return readBody(status, parts[0], headers);
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

            private Response readBody(int status, String version, Map<String, String> headers) throws IOException {
                String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
                boolean keepAlive = version.equals("HTTP/1.1") ? !connection.contains("close")
                        : connection.contains("keep-alive");
                if (status == 204 || status == 304) return new Response(status, new byte[0], keepAlive);
                String te = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
                if (te.contains("chunked")) return new Response(status, readChunked(), keepAlive);
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
                while (true) {
                    String sizeLine = readLine();
                    int semi = sizeLine.indexOf(';'); // chunk extensions are ignored
                    String hex = (semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim();
                    int size;
                    try {
                        size = Integer.parseInt(hex, 16);
                    } catch (NumberFormatException e) {
                        throw new IOException("bad chunk size: " + abbreviate(sizeLine));
                    }
                    if (size < 0 || body.size() + (long) size > MAX_BODY) throw new IOException("chunked body too large");
                    if (size == 0) {
                        readHeaders(); // trailers, up to the final empty line
                        return body.toByteArray();
                    }
                    body.write(readExactly(size));
                    if (!readLine().isEmpty()) throw new IOException("missing CRLF after chunk");
                }
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

    /** Just enough JSON: objects to Map, arrays to List, strings, numbers as Double, booleans, null. */
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
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
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

        private Double number() {
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            if (start == i) throw error("unexpected character");
            return Double.valueOf(s.substring(start, i));
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
