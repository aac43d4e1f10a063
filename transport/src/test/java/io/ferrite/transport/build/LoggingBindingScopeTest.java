package io.ferrite.transport.build;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transport module must not force a logging binding on programs that embed it: slf4j-simple is
 * declared runtime and optional in its pom (so it never travels to a dependent), yet it is on this
 * module's own runtime class path, which the shaded {@code ferrite.jar} and the CLI are built from.
 *
 * <p>Thread-safety: not applicable (a test).
 */
class LoggingBindingScopeTest {

    @Test
    void slf4jSimpleIsRuntimeAndOptionalSoEmbeddersDoNotInheritIt() throws Exception {
        Path pom = Path.of(System.getProperty("basedir", "."), "pom.xml");
        assertThat(pom).exists();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document document = factory.newDocumentBuilder().parse(Files.newInputStream(pom));
        Element binding = null;
        NodeList dependencies = document.getElementsByTagName("dependency");
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element dependency = (Element) dependencies.item(i);
            if ("slf4j-simple".equals(text(dependency, "artifactId"))) {
                binding = dependency;
            }
        }
        assertThat(binding).as("slf4j-simple declared in %s (the CLI needs a binding)", pom).isNotNull();
        assertThat(text(binding, "scope")).as("scope of slf4j-simple").isEqualTo("runtime");
        assertThat(text(binding, "optional")).as("optional flag of slf4j-simple").isEqualTo("true");
    }

    @Test
    void theBindingIsStillOnTheModulesRuntimeClassPath() throws Exception {
        // the test class path includes runtime dependencies; so does the shaded jar
        assertThat(Class.forName("org.slf4j.simple.SimpleServiceProvider")).isNotNull();
        assertThat(org.slf4j.LoggerFactory.getILoggerFactory().getClass().getName()).startsWith("org.slf4j.simple.");
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
    }
}
