package io.ferrite.cli;

import io.ferrite.engine.auth.Identities;
import io.ferrite.pipeline.Pipeline;
import io.ferrite.pipeline.PipelineFile;
import io.ferrite.pipeline.PolicyEngine;
import io.ferrite.pipeline.Stages;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ferrite pipeline check FILE}: reads a pipeline file and makes its stages (loading user
 * classes from {@code --stage-jar}) without starting anything; prints the stages and their routes,
 * or the first mistake with its file, line and field (exit 2).
 *
 * <p>Thread-safety: picocli fills the fields, then one thread calls {@link #call()}.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true, description = "Work with pipeline files.",
    subcommands = PipelineCommand.Check.class)
final class PipelineCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: check");
    }

    /** {@code ferrite pipeline check FILE [--stage-jar JAR]...}. */
    @Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check a pipeline file (and load its stage classes) without starting a server.")
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The pipeline file (YAML).")
        Path file;

        @Option(names = "--stage-jar", description = "A jar with the pipeline's stage classes (repeatable).")
        List<Path> stageJars = new ArrayList<>();

        @Option(names = "--tokens-file", description = "The tokens file the server will use, to check the principals and"
            + " roles the policies name.")
        Path tokensFile;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Pipeline pipeline = PipelineFile.read(file);
            Stages.build(pipeline, Stages.loader(stageJars));
            PolicyEngine policies = PolicyEngine.compile(pipeline.policies(),
                tokensFile == null ? null : Identities.read(tokensFile), 1, Duration.ofMinutes(5));
            spec.commandLine().getOut().println(pipeline.describe());
            if (!pipeline.policies().isEmpty()) {
                spec.commandLine().getOut().println("  policies are evaluated in this order: "
                    + String.join(", ", policies.order()));
            }
            spec.commandLine().getOut().println("ok");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
