package io.ferrite.bench.tcp;

import io.ferrite.bench.suite.LatencySummary;
import io.ferrite.bench.suite.Metric;
import io.ferrite.bench.suite.Sampler;
import io.ferrite.bench.suite.Scenario;
import io.ferrite.bench.suite.TrialResult;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The kernel's floor: loopback TCP round trips of a {@value #MESSAGE}-byte message between two
 * blocking JDK sockets ({@code TCP_NODELAY}), one echo thread and this thread, closed loop, every
 * round trip recorded. Its p99 is what a fixed-rate ingest p99 is compared with.
 *
 * <p>Thread-safety: single-threaded (the runner's) plus the echo thread it owns.
 */
public final class LoopbackRttScenario implements Scenario {
    static final int MESSAGE = 16;

    private final AtomicLong roundTrips = new AtomicLong();
    private ServerSocketChannel listener;
    private SocketChannel client;
    private Thread echo;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(MESSAGE);

    @Override
    public String name() {
        return "peer.rtt";
    }

    @Override
    public String group() {
        return "peer";
    }

    @Override
    public String description() {
        return "loopback TCP round trip of a " + MESSAGE + "-byte message, blocking JDK sockets, closed loop";
    }

    @Override
    public Metric metric() {
        return Metric.P99_MICROS;
    }

    @Override
    public List<String> peers() {
        return List.of();
    }

    @Override
    public void open() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        client = SocketChannel.open(listener.getLocalAddress());
        client.setOption(StandardSocketOptions.TCP_NODELAY, true);
        SocketChannel served = listener.accept();
        served.setOption(StandardSocketOptions.TCP_NODELAY, true);
        echo = Thread.ofPlatform().daemon().name("bench-rtt-echo").start(() -> echo(served));
    }

    private static void echo(SocketChannel served) {
        ByteBuffer message = ByteBuffer.allocateDirect(MESSAGE);
        try (served) {
            while (true) {
                message.clear();
                while (message.hasRemaining()) {
                    if (served.read(message) < 0) {
                        return;
                    }
                }
                message.flip();
                while (message.hasRemaining()) {
                    served.write(message);
                }
            }
        } catch (IOException e) {
            // the client closed during a read or write: the scenario is over
        }
    }

    @Override
    public TrialResult run(Duration duration, Duration sample) throws Exception {
        Histogram histogram = new Histogram(1, TimeUnit.SECONDS.toNanos(10), 3);
        long first = roundTrips.get();
        Sampler sampler = Sampler.start(roundTrips::get, sample);
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        long now = start;
        while (now < deadline) {
            buffer.clear();
            buffer.putLong(0, now);
            while (buffer.hasRemaining()) {
                client.write(buffer);
            }
            buffer.clear();
            while (buffer.hasRemaining()) {
                if (client.read(buffer) < 0) {
                    throw new UncheckedIOException(new IOException("echo side closed"));
                }
            }
            long end = System.nanoTime();
            histogram.recordValue(Math.max(1, end - now));
            roundTrips.lazySet(roundTrips.get() + 1);
            now = end;
        }
        double[] timeline = sampler.stop();
        return TrialResult.of(roundTrips.get() - first, (now - start) / 1e9, LatencySummary.ofNanos(histogram), timeline,
            sample.toNanos() / 1e9);
    }

    @Override
    public void close() throws Exception {
        if (client != null) {
            client.close();
            listener.close();
            echo.join(5_000);
        }
    }
}
