package io.ferrite.cli.profile;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * How a remote profile travels from the admin port to {@code ferrite profile}: a zip of the
 * flamegraph, the collapsed stacks and {@value #SUMMARY} (the session's one-line description).
 *
 * <p>Thread-safety: stateless.
 */
public final class ProfileArchive {
    /** The entry holding {@link ProfileResult#describe()}. */
    public static final String SUMMARY = "profile.txt";

    private ProfileArchive() {
    }

    /** Zips the files of {@code result}. */
    public static byte[] pack(ProfileResult result) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            add(zip, result.flamegraph().getFileName().toString(), Files.readAllBytes(result.flamegraph()));
            add(zip, result.collapsed().getFileName().toString(), Files.readAllBytes(result.collapsed()));
            String summary = "event=" + result.sampled() + " requested=" + result.requested() + " samples="
                + result.samples() + (result.note() == null ? "" : " note=" + result.note()) + "\n";
            add(zip, SUMMARY, summary.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    /**
     * Writes the entries of {@code zip} into {@code directory}; only plain file names are
     * accepted (an entry with a path is refused, so an archive cannot write outside it).
     *
     * @return the files written
     */
    public static List<Path> unpack(byte[] zip, Path directory) throws IOException {
        Files.createDirectories(directory);
        List<Path> written = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                String name = entry.getName();
                if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                    throw new IOException("unexpected entry '" + name + "' in the profile archive");
                }
                Path file = directory.resolve(name);
                Files.write(file, in.readAllBytes());
                written.add(file);
            }
        }
        if (written.isEmpty()) {
            throw new IOException("the profile archive is empty");
        }
        return written;
    }

    private static void add(ZipOutputStream zip, String name, byte[] content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content);
        zip.closeEntry();
    }
}
