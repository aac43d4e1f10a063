package io.ferrite.bench.suite;

import io.ferrite.transport.server.TransportKind;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The machine a run happened on, as the report and results.json describe it. Read from
 * {@code /proc} where it exists; "unknown" elsewhere.
 *
 * <p>Thread-safety: immutable.
 *
 * @param cpuModel      the first "model name" of /proc/cpuinfo
 * @param cores         processors available to this JVM
 * @param memoryBytes   MemTotal of /proc/meminfo (0 when unknown)
 * @param kernel        os.name and os.version
 * @param jdk           java.vm.name and the runtime version
 * @param transports    the Netty transports usable here, e.g. {@code io_uring epoll nio}
 * @param autoTransport what {@code --transport auto} resolves to here
 */
public record MachineInfo(String cpuModel, int cores, long memoryBytes, String kernel, String jdk,
                          String transports, String autoTransport) {

    public static MachineInfo detect() {
        List<String> usable = new ArrayList<>();
        for (TransportKind kind : List.of(TransportKind.IO_URING, TransportKind.EPOLL, TransportKind.NIO)) {
            if (kind.unavailabilityCause().isEmpty()) {
                usable.add(kind.cliName());
            }
        }
        return new MachineInfo(procField("/proc/cpuinfo", "model name"), Runtime.getRuntime().availableProcessors(),
            memTotal(), System.getProperty("os.name") + " " + System.getProperty("os.version"),
            System.getProperty("java.vm.name") + " " + Runtime.version(), String.join(" ", usable),
            TransportKind.AUTO.resolve().cliName());
    }

    /** One line for the report header. */
    public String line() {
        return String.format(Locale.ROOT, "%s, %d cores, %.1f GiB, %s, %s, transports: %s (auto = %s)", cpuModel, cores,
            memoryBytes / (double) (1L << 30), kernel, jdk, transports, autoTransport);
    }

    private static long memTotal() {
        String kib = procField("/proc/meminfo", "MemTotal").replaceAll("[^0-9]", "");
        return kib.isEmpty() ? 0 : Long.parseLong(kib) * 1024;
    }

    private static String procField(String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                    return line.substring(colon + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
        return "unknown";
    }
}
