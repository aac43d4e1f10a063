package io.ferrite.transport.admin;

/**
 * JSON string literals for the few JSON documents the server and CLI write by hand (admin
 * answers, {@code ferrite replay --json}): quotes, backslashes and every control character are
 * escaped, so any text yields valid JSON.
 *
 * <p>Thread-safety: stateless.
 */
public final class JsonText {
    private JsonText() {
    }

    /** {@code text} as a quoted JSON string. */
    public static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
