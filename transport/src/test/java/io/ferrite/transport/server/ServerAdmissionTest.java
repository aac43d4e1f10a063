package io.ferrite.transport.server;

import io.ferrite.client.ClientListener;
import io.ferrite.client.FerriteClient;
import io.ferrite.engine.AdmissionPolicy;
import io.ferrite.engine.EventMarks;
import io.ferrite.engine.auth.Identities;
import io.ferrite.protocol.ErrorCode;
import io.ferrite.transport.node.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admission hook over real TCP: it sees each event's sender, header and payload in place,
 * before the journal; what it refuses is answered REJECT INVALID_EVENT with its message, in order,
 * and never journaled.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerAdmissionTest {
    @TempDir
    Path dir;

    @Test
    void theHookSeesPrincipalHeaderAndPayloadAndItsRefusalsAreRejectedInOrder() throws Exception {
        Identities identities = Identities.read(Files.writeString(dir.resolve("tokens"), "t-ann ann\nt-bob bob\n"));
        int bob = identities.byPrincipal("bob").id();
        AdmissionPolicy.Decision refused = new AdmissionPolicy.Decision("no X from bob".getBytes(StandardCharsets.UTF_8), 0);
        AdmissionPolicy.Decision tagged = new AdmissionPolicy.Decision(null, EventMarks.of(0, 0b101));
        List<String> seen = new CopyOnWriteArrayList<>();
        ServerConfig.Builder config = TestNode.config().identities(identities)
            .admission((principal, type, key, priority, payload, offset, length) -> {
                seen.add(principal + "/" + type + "/" + key + "/" + length);
                if (principal == bob && payload.get(ValueLayout.JAVA_BYTE, offset) == 'X') {
                    return refused;
                }
                return key == 32 ? tagged : AdmissionPolicy.Decision.ADMIT;
            });
        List<String> rejects = new CopyOnWriteArrayList<>();
        try (TestNode node = TestNode.start(TestNode.memoryEngine(), config);
             FerriteClient client = FerriteClient.connect(node.client().token("t-bob".getBytes(StandardCharsets.UTF_8))
                 .build(), new ClientListener() {
                     @Override
                     public void onReject(long correlationId, ErrorCode code, String message) {
                         rejects.add(correlationId + " " + code + " " + message);
                     }
                 })) {
            client.publish(3, 30, 1, 0, "Yes".getBytes(StandardCharsets.UTF_8));
            client.publish(3, 31, 2, 0, "Xno".getBytes(StandardCharsets.UTF_8));
            long last = client.publish(3, 32, 3, 0, "Yes!".getBytes(StandardCharsets.UTF_8));
            client.flush();
            assertThat(client.awaitAcked(last, Duration.ofSeconds(10))).isTrue();
            assertThat(rejects).containsExactly("2 INVALID_EVENT no X from bob");
            assertThat(seen).containsExactly(bob + "/3/30/3", bob + "/3/31/3", bob + "/3/32/4");
            node.stage().awaitCount(2, 10);
            assertThat(node.stage().seen()).extracting(seenEvent -> seenEvent.key()).containsExactly(30L, 32L);
            assertThat(node.stage().seen()).extracting(seenEvent -> seenEvent.marks())
                .as("the decision's marks are journaled with the event").containsExactly(0, EventMarks.of(0, 0b101));
            assertThat(node.counters().refusedByPolicyCount()).isEqualTo(1);
        }
    }
}
