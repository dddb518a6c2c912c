import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Does the login throttle keep its cost flat when strangers fill it? Sends wrong setup codes
 * from --addresses distinct client addresses (X-Forwarded-For through a trusted proxy), and
 * measures, before and after, a failing attempt from a fresh address (the throttle's lookup and
 * insert) and a plain GET /api/ping. Needs a DockUp with no password yet (setup codes are
 * checked without bcrypt, so 200,000 attempts take seconds) started with TRUSTED_PROXIES=127.0.0.1.
 */
public class ThrottleBench extends BenchKit {
    static final String USAGE = String.join("\n",
        "usage: bench/run ThrottleBench [--url=http://127.0.0.1:5000] [--addresses=200000] [--connections=4] [--samples=2000]",
        "  DockUp must be fresh (no password set) and started with TRUSTED_PROXIES=127.0.0.1.");

    public static void main(String[] args) {
        runAndExit(USAGE, () -> run(args));
    }

    static int run(String[] args) throws Exception {
        String[] url = {"http://127.0.0.1:5000"};
        int[] addresses = {200_000};
        int[] connections = {4};
        int[] samples = {2_000};
        if (parseArgs(args, (k, v) -> {
            switch (k) {
                case "url" -> url[0] = v;
                case "addresses" -> addresses[0] = intIn(k, v, 1, 10_000_000);
                case "connections" -> connections[0] = intIn(k, v, 1, 64);
                case "samples" -> samples[0] = intIn(k, v, 10, 1_000_000);
                default -> throw new UsageException("unknown option --" + k);
            }
        })) {
            System.out.println(USAGE);
            return 0;
        }
        URI u = URI.create(url[0]);
        Endpoint endpoint = Endpoint.loopbackTcp(u.getHost(), u.getPort() < 0 ? 80 : u.getPort(), "ThrottleBench");
        try (Http.Conn c = endpoint.open(10_000)) {
            String ping = c.exchange(endpoint.request("GET", "/api/ping", null, null, false)).text();
            if (!ping.contains("\"setup_required\":true")) throw new BenchException("DockUp already has a password; start a fresh one");
        }

        measure(endpoint, samples[0], 0, false); // warm-up: the JIT, the connection pool
        System.out.println("Before: a few thousand addresses tracked");
        measure(endpoint, samples[0], 1, true);
        long t0 = System.nanoTime();
        flood(endpoint, addresses[0], connections[0]);
        System.out.printf("Flood: %,d failing addresses in %.1f s%n", addresses[0], (System.nanoTime() - t0) / 1e9);
        System.out.println("After:");
        measure(endpoint, samples[0], 2, true);
        return 0;
    }

    static byte[] wrongCode(Endpoint e, int n) {
        return e.request("POST", "/api/auth/setup", Map.of("X-Forwarded-For", address(n)),
            "{\"setup_code\":\"wrong\",\"password\":\"bench-password-1\"}".getBytes(StandardCharsets.UTF_8), false);
    }

    /** The flood comes from 10.0.0.0/8; the samples from 198.18.0.0/15, so theirs are always fresh addresses. */
    static String address(int n) {
        return "10." + ((n >> 16) & 255) + "." + ((n >> 8) & 255) + "." + (n & 255);
    }

    static void flood(Endpoint e, int count, int connections) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                jobs.add(pool.submit(() -> {
                    try (Http.Conn c = e.open(10_000)) {
                        for (int n; (n = next.getAndIncrement()) < count; ) {
                            int status = c.exchange(wrongCode(e, n)).status();
                            if (status != 401 && status != 429) throw new BenchException("setup attempt answered " + status);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : jobs) f.get();
        } finally {
            pool.shutdownNow();
        }
    }

    static void measure(Endpoint e, int samples, int round, boolean print) throws Exception {
        long[] attempt = new long[samples];
        long[] ping = new long[samples];
        try (Http.Conn c = e.open(10_000)) {
            for (int i = 0; i < samples; i++) {
                byte[] req = e.request("POST", "/api/auth/setup",
                    Map.of("X-Forwarded-For", "198." + (18 + round) + "." + ((i >> 8) & 255) + "." + (i & 255)),
                    "{\"setup_code\":\"wrong\",\"password\":\"bench-password-1\"}".getBytes(StandardCharsets.UTF_8), false);
                long t = System.nanoTime();
                c.exchange(req);
                attempt[i] = System.nanoTime() - t;
                t = System.nanoTime();
                c.exchange(e.request("GET", "/api/ping", null, null, false));
                ping[i] = System.nanoTime() - t;
            }
        }
        if (!print) return;
        Arrays.sort(attempt);
        Arrays.sort(ping);
        System.out.println(" failing setup attempt from a fresh address:");
        printPercentiles(attempt);
        System.out.println(" GET /api/ping:");
        printPercentiles(ping);
    }
}
