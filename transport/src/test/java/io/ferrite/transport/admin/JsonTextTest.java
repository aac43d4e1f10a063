package io.ferrite.transport.admin;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonTextTest {
    @Test
    void quotesBackslashesAndControlCharactersAreEscaped() {
        assertThat(JsonText.quote("plain")).isEqualTo("\"plain\"");
        assertThat(JsonText.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(JsonText.quote("tab\there\nline\r")).isEqualTo("\"tab\\there\\nline\\r\"");
        assertThat(JsonText.quote("\u0001\u001f\u007f")).isEqualTo("\"\\u0001\\u001f\\u007f\"");
        assertThat(JsonText.quote("héllo ✓")).isEqualTo("\"héllo ✓\"");
    }
}
