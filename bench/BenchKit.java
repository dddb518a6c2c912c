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
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * What the programs share: the program skeleton (exit codes, {@code --key=value} options),
 * DockUp's setup and cleanup calls, a client of DockUp's live feed, a hand-written HTTP/1.1
 * client over TCP or the engine's Unix socket, a minimal JSON parser and the latency figures.
 *
 * <p>The programs extend this class only so that its nested types and helpers can be used by
 * their simple names: classes in the unnamed package cannot be imported. Compile and run them
 * together with {@code bench/run <Program> [--key=value ...]}.
 */
abstract class BenchKit {
    /** One watchdog thread for the whole program: it unblocks reads that cannot time out by themselves. */
    static final java.util.concurrent.ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "watchdog");
        t.setDaemon(true);
        return t;
    });

    static final Pattern STACK_NAME = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,62}$");
    /** Stacks created, started or deleted at the same time. */
    static final int PARALLEL_OPS = 4;

    // ---------------------------------------------------------------- program skeleton

    interface Body {
        int run() throws Exception;
    }

    /** Runs a program and exits: its own code, 1 on any failure, 2 (with the usage) on bad options. */
    static void runAndExit(String usage, Body body) {
        int code;
        try {
            code = body.run();
        } catch (UsageException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(usage);
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

    static final class UsageException extends Exception {
        UsageException(String m) { super(m); }
    }

    static final class BenchException extends Exception {
        BenchException(String m) { super(m); }
    }

    // ---------------------------------------------------------------- options

    interface Setter {
        void set(String key, String value) throws UsageException;
    }

    /** Passes each {@code --key=value} to set, in order; returns whether --help or -h was given. */
    static boolean parseArgs(String[] args, Setter set) throws UsageException {
        boolean help = false;
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new UsageException("expected --key=value, got '" + arg + "'");
            }
            set.set(arg.substring(2, eq), arg.substring(eq + 1));
        }
        return help;
    }

    static int intIn(String key, String v, int min, int max) throws UsageException {
        try {
            int i = Integer.parseInt(v);
            if (i >= min && i <= max) return i;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException("--" + key + " must be an integer in " + min + ".." + max);
    }

    static boolean bool(String key, String v) throws UsageException {
        if (v.equals("true")) return true;
        if (v.equals("false")) return false;
        throw new UsageException("--" + key + " must be true or false");
    }

    /** A stack name built from --prefix; DockUp would refuse any other. */
    static String checkedName(String name) throws UsageException {
        if (!STACK_NAME.matcher(name).matches()) {
            throw new UsageException("stack name '" + name + "' does not match " + STACK_NAME.pattern());
        }
        return name;
    }

    // ---------------------------------------------------------------- helpers

    static String abbreviate(Object o) {
        String s = String.valueOf(o).replaceAll("\\s+", " ");
        return s.length() <= 300 ? s : s.substring(0, 300) + " ...";
    }

    /** Wall-clock time in ns since the epoch: the clock the engine's timeNano uses on this host. */
    static long nowNs() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    static long deadlineIn(long ms) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    }

    /** Nearest-rank percentile in milliseconds of sorted nanosecond figures. */
    static double percentileMs(long[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }

    /** The p50, p90, p99 and max lines of a result block. */
    static void printPercentiles(long[] sorted) {
        System.out.printf("  p50 ms      %.3f%n", percentileMs(sorted, 50));
        System.out.printf("  p90 ms      %.3f%n", percentileMs(sorted, 90));
        System.out.printf("  p99 ms      %.3f%n", percentileMs(sorted, 99));
        System.out.printf("  max ms      %.3f%n", sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6);
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

    // ---------------------------------------------------------------- DockUp API

    /** The DockUp calls of the setup and cleanup phases; one short-lived connection per call. */
    static final class DockUp {
        static final int OPERATION_TIMEOUT_MS = 300_000; // compose up/down of a stack is synchronous
        static final int POLL_TIMEOUT_MS = 5_000;
        static final long POLL_INTERVAL_MS = 200;
        static final long READY_TIMEOUT_MS = 60_000;
        static final Pattern SUCCESS_TRUE = Pattern.compile("\"success\"\\s*:\\s*true");

        final String url;
        final Endpoint endpoint;
        final String basePath;
        private final Map<String, String> headers = new LinkedHashMap<>();

        /** Accepts only http:// URLs on loopback: the benchmarks must not send traffic anywhere else. */
        DockUp(String url, String token, String userAgent) throws UsageException {
            this.url = url;
            URI uri;
            try {
                uri = new URI(url);
            } catch (Exception e) {
                throw new UsageException("bad --url: " + e.getMessage());
            }
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new UsageException("--url must be http://host[:port][/path]");
            }
            this.endpoint = Endpoint.loopbackTcp(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort(), userAgent);
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            if (!token.isEmpty()) headers.put("X-API-Token", token);
            headers.put("Accept", "application/json");
        }

        /** A request with the token; close=false suits a keep-alive connection that sends it again. */
        byte[] request(String method, String path, byte[] body, boolean close) {
            return endpoint.request(method, basePath + path, headers, body, close);
        }

        Http.Response get(String path) throws IOException {
            return exchange(request("GET", path, null, true), POLL_TIMEOUT_MS);
        }

        /** One API call that must answer 2xx with "success":true. */
        void call(String method, String path, String json) throws Exception {
            byte[] body = json == null ? null : json.getBytes(StandardCharsets.UTF_8);
            Http.Response r = exchange(request(method, path, body, true), OPERATION_TIMEOUT_MS);
            if (r.status() / 100 != 2 || !SUCCESS_TRUE.matcher(r.text()).find()) {
                throw new BenchException(method + " " + path + ": HTTP " + r.status() + " " + abbreviate(r.text()));
            }
        }

        Http.Response exchange(byte[] request, int timeoutMs) throws IOException {
            try (Http.Conn c = endpoint.open(timeoutMs)) {
                return c.exchange(request);
            } catch (IOException e) {
                throw new IOException("DockUp at " + url + ": " + e.getMessage(), e);
            }
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

        /** Refuses to run over existing stacks: cleanup would otherwise delete someone's stack. */
        static void refuseExisting(Collection<String> existing) throws BenchException {
            if (!existing.isEmpty()) {
                throw new BenchException("stacks already exist: " + abbreviate(existing)
                        + " (delete them or choose another --prefix)");
            }
        }

        /** Services that idle ({@code sleep 3600}) and stop within a second. */
        static String composeYaml(String image, List<String> services) {
            StringBuilder y = new StringBuilder("services:\n");
            for (String service : services) {
                y.append("  ").append(service).append(":\n")
                        .append("    image: ").append(image).append('\n')
                        .append("    init: true\n")
                        .append("    stop_grace_period: 1s\n")
                        .append("    command: [\"sleep\", \"3600\"]\n");
            }
            return y.toString();
        }

        /** Writes the compose file of each stack and runs {@code up}; names go to touched for cleanup. */
        void createAndStart(List<String> names, String composeYaml, Set<String> touched) throws Exception {
            long t0 = System.nanoTime();
            forEachParallel(names, name -> {
                touched.add(name); // before the call: a failed create may still leave a folder
                call("POST", "/api/stack/" + name + "/compose", "{\"content\":" + Json.quote(composeYaml) + "}");
                call("POST", "/api/stack/" + name + "/operation", "{\"operation\":\"up\"}");
            });
            System.out.printf("  done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        }

        /** Polls GET /api/stacks until every name is running, at most READY_TIMEOUT_MS. */
        void awaitRunning(List<String> names) throws Exception {
            long deadline = deadlineIn(READY_TIMEOUT_MS);
            Map<String, String> status = Map.of();
            while (System.nanoTime() < deadline) {
                status = listStacks();
                if (notRunning(names, status).isEmpty()) return;
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

        /** Compose down and trash; never throws, so it can run in a finally block. */
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
    }

    // ---------------------------------------------------------------- DockUp's live feed (WebSocket)

    /**
     * A client of DockUp's {@code /ws}. It joins text frames into whole messages and passes each
     * JSON object to {@link #handle} with its arrival time. A close or an error is kept as the
     * failure that {@link #checkOpen} reports: the main thread waits on {@code lock} and would
     * otherwise only notice at its deadline.
     */
    abstract static class JsonFeedListener implements WebSocket.Listener {
        static final int MAX_MESSAGE_CHARS = 16 * 1024 * 1024;

        /** Guards the failure and the subclass's state; the main thread waits on it. */
        final Object lock = new Object();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket ws;
        private String failure; // guarded by lock

        /** Opens dockup's feed with {@code X-API-Token} when given; a refused handshake names its status. */
        void connect(DockUp dockup, String token) throws Exception {
            URI uri = URI.create("ws://" + dockup.endpoint.hostHeader + dockup.basePath + "/ws");
            HttpClient client = HttpClient.newBuilder()
                    .proxy(HttpClient.Builder.NO_PROXY)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            WebSocket.Builder b = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
            if (!token.isEmpty()) b.header("X-API-Token", token);
            try {
                ws = b.buildAsync(uri, this).get(15, TimeUnit.SECONDS);
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
        }

        /**
         * A whole message that is a JSON object, on the WebSocket's thread; text is what arrived
         * (for reports), receivedNs its arrival in ns since the epoch (see {@link BenchKit#nowNs}).
         */
        abstract void handle(Map<?, ?> message, String text, long receivedNs);

        /** A whole message that is not a JSON object; ignored unless the subclass counts it. */
        void malformed(String text) {}

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
                parse(text, received);
            }
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

        private void parse(String text, long receivedNs) {
            Object parsed;
            try {
                parsed = Json.parse(text);
            } catch (IllegalArgumentException e) {
                malformed(text);
                return;
            }
            if (parsed instanceof Map<?, ?> m) handle(m, text, receivedNs);
            else malformed(text);
        }

        void subscribe(List<String> keys) throws Exception {
            StringBuilder j = new StringBuilder("{\"subscribe\":[");
            for (int i = 0; i < keys.size(); i++) j.append(i == 0 ? "" : ",").append(Json.quote(keys.get(i)));
            j.append("]}");
            try {
                ws.sendText(j.toString(), true).get(5, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new BenchException("WebSocket: could not send " + j + ": " + e);
            }
        }

        /** With lock held. */
        void checkOpen() throws BenchException {
            if (failure != null) throw new BenchException("WebSocket " + failure);
        }

        /** With lock held; never longer than 1 s, so that a missed notify costs at most that. */
        void waitNanos(long nanos) throws InterruptedException {
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

    // ---------------------------------------------------------------- HTTP/1.1 client

    /**
     * A TCP host:port on loopback, or a Unix socket path. It also carries the User-Agent, the
     * program's name, so that DockUp's and the engine's logs tell the two benchmarks apart.
     */
    static final class Endpoint {
        final String hostHeader;
        final String userAgent;
        final InetSocketAddress tcp;
        final UnixDomainSocketAddress unix;

        private Endpoint(String hostHeader, String userAgent, InetSocketAddress tcp, UnixDomainSocketAddress unix) {
            this.hostHeader = hostHeader;
            this.userAgent = userAgent;
            this.tcp = tcp;
            this.unix = unix;
        }

        /** Only loopback: the benchmark must not send traffic anywhere else. */
        static Endpoint loopbackTcp(String host, int port, String userAgent) throws UsageException {
            InetAddress addr;
            try {
                addr = InetAddress.getByName(host);
            } catch (IOException e) {
                throw new UsageException("cannot resolve " + host);
            }
            if (!addr.isLoopbackAddress()) throw new UsageException("--url must point to a loopback address");
            String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
            return new Endpoint(h + ":" + port, userAgent, new InetSocketAddress(addr, port), null);
        }

        static Endpoint unix(String path, String userAgent) {
            return new Endpoint("docker", userAgent, null, UnixDomainSocketAddress.of(path));
        }

        /** The whole request as one byte array, so each request is a single write. */
        byte[] request(String method, String path, Map<String, String> headers, byte[] body, boolean close) {
            StringBuilder h = new StringBuilder();
            h.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
            h.append("Host: ").append(hostHeader).append("\r\n");
            h.append("User-Agent: ").append(userAgent).append("\r\n");
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

        /**
         * One request on a connection of its own, closed by the watchdog after {@code timeoutMs}:
         * a Unix socket has no read timeout, and an engine that hangs must not hang the benchmark.
         */
        Http.Response exchange(String method, String path, Map<String, String> headers, int timeoutMs) throws Exception {
            byte[] req = request(method, path, headers, null, true);
            Http.Conn c = open(0);
            java.util.concurrent.ScheduledFuture<?> watchdog = WATCHDOG.schedule(c::close, timeoutMs, TimeUnit.MILLISECONDS);
            try {
                return c.exchange(req);
            } catch (IOException e) {
                if (watchdog.isDone()) {
                    throw new BenchException("engine: " + method + " " + path + ": no answer within " + timeoutMs / 1000 + " s");
                }
                throw new IOException("engine: " + method + " " + path + ": " + e.getMessage(), e);
            } finally {
                watchdog.cancel(false);
                c.close();
            }
        }
    }

    /**
     * Hand-written rather than java.net.http.HttpClient, whose overhead would distort
     * sub-millisecond latencies, and which cannot speak over a Unix socket.
     */
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

            /** Never called for HEAD requests: the benchmarks send none. Skips interim 1xx answers. */
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
