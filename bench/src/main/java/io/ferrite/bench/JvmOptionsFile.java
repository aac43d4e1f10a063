package io.ferrite.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Ferrite's one JVM flag list ({@code config/jvm.options}, java launcher @argfile syntax)
 * so that JMH forks run with exactly the flags the server and the tests use.
 *
 * <p>Thread-safety: stateless.
 */
public final class JvmOptionsFile {
    /** System property naming the file; bin/bench sets it. */
    public static final String PROPERTY = "ferrite.jvmOptions";

    private JvmOptionsFile() {
    }

    /** The file named by {@link #PROPERTY}, else config/jvm.options found from the working directory up. */
    public static Path locate() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("config/jvm.options");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("config/jvm.options not found from " + Path.of("").toAbsolutePath()
            + "; run from the Ferrite checkout or pass -D" + PROPERTY + "=FILE");
    }

    /** One flag per non-blank line, '#' comments dropped. */
    public static List<String> read(Path file) {
        try {
            List<String> flags = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                int hash = line.indexOf('#');
                String flag = (hash >= 0 ? line.substring(0, hash) : line).strip();
                if (!flag.isEmpty()) {
                    flags.add(flag);
                }
            }
            return flags;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read JVM options " + file, e);
        }
    }
}
