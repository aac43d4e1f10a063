package io.ferrite.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JvmOptionsFileTest {

    @Test
    void theSharedFlagListCarriesWhatChronicleAndFfmNeed() {
        List<String> flags = JvmOptionsFile.read(JvmOptionsFile.locate());
        assertThat(flags).contains(
            "--enable-native-access=ALL-UNNAMED",
            "-Dchronicle.analytics.disable=true",
            "--sun-misc-unsafe-memory-access=allow");
        assertThat(flags).allSatisfy(flag -> assertThat(flag).doesNotContain("#").doesNotStartWith(" "));
    }

    @Test
    void testsRunUnderTheSameFlags() {
        // Surefire's argLine is @config/jvm.options, so the property set there is live here.
        assertThat(System.getProperty("chronicle.analytics.disable")).isEqualTo("true");
    }

    @Test
    void commentsAndBlankLinesAreDropped(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("jvm.options");
        Files.writeString(file, "# heading\n\n-Xmx1g   # trailing comment\n  --add-opens=a/b=ALL-UNNAMED\n");
        assertThat(JvmOptionsFile.read(file)).containsExactly("-Xmx1g", "--add-opens=a/b=ALL-UNNAMED");
    }

    @Test
    void aMissingFileIsReportedWithItsPath(@TempDir Path dir) {
        assertThatThrownBy(() -> JvmOptionsFile.read(dir.resolve("absent.options")))
            .hasMessageContaining("absent.options");
    }
}
