package io.ferrite.bench.report;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {
    @Test
    void roundTripsWhatResultsJsonWrites() {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("name", "tcp.max \"quoted\"\n");
        tree.put("count", 3);
        tree.put("rate", 1234.5678);
        tree.put("nan", Double.NaN);
        tree.put("list", List.of(1.0, 2.5));
        tree.put("nested", Map.of("ok", true));
        Map<?, ?> map = (Map<?, ?>) Json.parse(Json.write(tree));
        assertThat(map.get("name")).isEqualTo("tcp.max \"quoted\"\n");
        assertThat(map.get("count")).isEqualTo(3.0);
        assertThat((Double) map.get("rate")).isCloseTo(1234.57, Offset.offset(0.01));
        assertThat(map.get("nan")).isNull();
        assertThat(map.get("list")).isEqualTo(List.of(1.0, 2.5));
        assertThat(map.get("nested")).isEqualTo(Map.of("ok", true));
    }

    @Test
    void bigDecimalsKeepTheirDigits() {
        String text = Json.write(List.of(new BigDecimal("99.99998474"), 99.99998474));
        assertThat(text).startsWith("[99.99998474,100.000]");
        assertThat(Json.parse(text)).isEqualTo(List.of(99.99998474, 100.0));
    }

    @Test
    void saysWhereBadInputIs() {
        assertThatThrownBy(() -> Json.parse("{\"a\": }")).hasMessageContaining("offset 6");
        assertThatThrownBy(() -> Json.parse("[1, 2] x")).hasMessageContaining("trailing");
    }
}
