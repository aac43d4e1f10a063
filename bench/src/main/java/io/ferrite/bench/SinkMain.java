package io.ferrite.bench;

import io.ferrite.bench.tcp.RawNettyServer;
import io.ferrite.transport.server.TransportKind;
import sun.misc.Signal;

import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/ferrite bench sink [PORT] [TRANSPORT]}: the raw Netty peer as a process of its own — it
 * answers HELLO, counts EVENT frames in place and ACKs each read, with no engine behind it — so that
 * {@code ferrite send} can be measured against the fastest server the machine could run, in two
 * processes as a user runs it. Prints one ready line, then the events counted when stopped (SIGTERM).
 *
 * <p>Thread-safety: run from the main thread.
 */
final class SinkMain {
    private SinkMain() {
    }

    static int run(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 7070;
        TransportKind transport = args.length > 1 ? TransportKind.parse(args[1]) : TransportKind.AUTO;
        try (RawNettyServer server = new RawNettyServer(transport.resolve(), port)) {
            CountDownLatch stop = new CountDownLatch(1);
            Signal.handle(new Signal("TERM"), signal -> stop.countDown());
            Signal.handle(new Signal("INT"), signal -> stop.countDown());
            System.out.printf(Locale.ROOT, "raw netty sink listening on 127.0.0.1:%d transport=%s%n", server.port(),
                transport.resolve().cliName());
            System.out.flush();
            stop.await();
            System.out.printf(Locale.ROOT, "raw netty sink counted %d events%n", server.eventCount());
        }
        return 0;
    }
}
