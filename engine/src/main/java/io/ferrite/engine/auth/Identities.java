package io.ferrite.engine.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Who may connect, and who they are: tokens, each mapped to a principal and its roles, read from a
 * tokens file, one per line: {@code TOKEN PRINCIPAL [ROLE,ROLE...]} ({@code #} starts a comment).
 * A HELLO's token is compared with every token in constant time (the comparison takes as long
 * whichever token matches, or none). Policies see the principal and its roles.
 *
 * <p>Thread-safety: immutable.
 */
public final class Identities {
    /** Not authenticated (no tokens file). */
    public static final int ANONYMOUS = -1;

    /** One principal: its id (an index, what the hot path carries), name and roles. */
    public record Identity(int id, String principal, Set<String> roles) {
    }

    private final List<byte[]> tokens;
    private final List<Identity> identities;

    private Identities(List<byte[]> tokens, List<Identity> identities) {
        this.tokens = tokens;
        this.identities = identities;
    }

    /**
     * Reads a tokens file.
     *
     * @throws IllegalArgumentException naming the file and line of a mistake
     */
    public static Identities read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read tokens file " + file + ": " + e, e);
        }
        List<byte[]> tokens = new ArrayList<>();
        List<Identity> identities = new ArrayList<>();
        Set<String> principals = new HashSet<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).replaceFirst("#.*", "").strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = file + ":" + (n + 1) + ": ";
            String[] fields = line.split("\\s+");
            if (fields.length < 2 || fields.length > 3) {
                throw new IllegalArgumentException(where + "expected 'TOKEN PRINCIPAL [ROLE,ROLE...]', got "
                    + fields.length + " field(s)");
            }
            byte[] token = fields[0].getBytes(StandardCharsets.UTF_8);
            for (byte[] known : tokens) {
                if (Arrays.equals(known, token)) {
                    throw new IllegalArgumentException(where + "this token is already given to another principal");
                }
            }
            if (!principals.add(fields[1])) {
                throw new IllegalArgumentException(where + "principal '" + fields[1] + "' already has a token");
            }
            Set<String> roles = fields.length == 3 ? new LinkedHashSet<>(List.of(fields[2].split(","))) : Set.of();
            tokens.add(token);
            identities.add(new Identity(identities.size(), fields[1], Set.copyOf(roles)));
        }
        if (identities.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no token; one per line: TOKEN PRINCIPAL [ROLE,ROLE...]");
        }
        return new Identities(List.copyOf(tokens), List.copyOf(identities));
    }

    /** The identity whose token is {@code offered}, or null; compares with every token (constant time). */
    public Identity match(byte[] offered) {
        Identity found = null;
        for (int i = 0; i < tokens.size(); i++) {
            if (MessageDigest.isEqual(tokens.get(i), offered) & found == null) {
                found = identities.get(i);
            }
        }
        return found;
    }

    /** The identity named {@code principal}, or null. */
    public Identity byPrincipal(String principal) {
        return identities.stream().filter(identity -> identity.principal().equals(principal)).findFirst().orElse(null);
    }

    /** The tokens of the principals holding {@code role} (e.g. the admin port's {@code admin}). */
    public List<byte[]> tokensWithRole(String role) {
        List<byte[]> found = new ArrayList<>();
        for (int i = 0; i < identities.size(); i++) {
            if (identities.get(i).roles().contains(role)) {
                found.add(tokens.get(i).clone());
            }
        }
        return found;
    }

    public List<Identity> all() {
        return identities;
    }
}
