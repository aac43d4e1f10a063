package io.ferrite.cli;

import io.ferrite.engine.EngineBuilder;
import io.ferrite.engine.EventHandler;
import io.ferrite.engine.auth.Identities;
import io.ferrite.pipeline.EnrichStage;
import io.ferrite.pipeline.PipelineException;
import io.ferrite.pipeline.PipelineFile;
import io.ferrite.pipeline.ReloadablePolicies;
import io.ferrite.pipeline.Stages;
import io.ferrite.transport.admin.AdminResponse;
import io.ferrite.transport.admin.JsonText;
import io.ferrite.transport.node.FerriteNode;
import io.ferrite.transport.server.ServerConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * What {@code --pipeline}, {@code --stage-jar} and {@code --tokens-file} add to a server: the
 * pipeline's stages (or the one given stage without a pipeline), its policies at ingest, the
 * admin routes that reload them and manage the enrichment caches, and their metrics.
 *
 * <p>Thread-safety: made and applied on the starting thread; the routes run on the admin port's threads.
 */
final class ServerPipeline {
    private final List<Stages.Built> stages;
    private final ReloadablePolicies policies;
    private final Identities identities;
    private final List<EnrichStage> caches;
    private final Path journalDirectory;
    /** Builds the pipeline's stages again for one Kafka lane's directory (null without a pipeline). */
    private final Function<Path, List<Stages.Built>> laneStages;

    private ServerPipeline(List<Stages.Built> stages, ReloadablePolicies policies, Identities identities,
                           Path journalDirectory, Function<Path, List<Stages.Built>> laneStages) {
        this.journalDirectory = journalDirectory;
        this.laneStages = laneStages;
        this.stages = stages;
        this.policies = policies;
        this.identities = identities;
        this.caches = stages == null ? List.of() : Stages.enrichStages(stages);
    }

    /**
     * Reads the files (each mistake an {@link IllegalArgumentException} naming file, line and field).
     *
     * @param pipelineFile the pipeline, or null
     * @param stageJars    jars with its stage classes
     * @param tokensFile   tokens and principals, or null
     * @param journalDirectory the durable journal (action ledgers in its state/, the query index in its index/),
     *                         or null (MEMORY)
     */
    static ServerPipeline read(Path pipelineFile, List<Path> stageJars, Path tokensFile, Path journalDirectory) {
        Identities identities = tokensFile == null ? null : Identities.read(tokensFile);
        if (pipelineFile == null) {
            return new ServerPipeline(null, null, identities, journalDirectory, null);
        }
        var pipeline = PipelineFile.read(pipelineFile);
        ClassLoader loader = Stages.loader(stageJars);
        return new ServerPipeline(Stages.build(pipeline, loader, journalDirectory),
            new ReloadablePolicies(pipelineFile, pipeline, identities), identities, journalDirectory,
            laneDirectory -> Stages.build(pipeline, loader, laneDirectory));
    }

    /** The pipeline's stages, or {@code fallback} as the one stage {@code ingest}. */
    void addStages(EngineBuilder engine, EventHandler fallback) {
        if (stages == null) {
            engine.stage("ingest", fallback);
        } else {
            Stages.addTo(engine, stages);
        }
    }

    /** The pipeline's stages built anew for a Kafka lane's directory, or null without a pipeline file. */
    Function<Path, List<Stages.Built>> laneStages() {
        return laneStages;
    }

    /** Who may connect, and the policies every event goes through. */
    ServerConfig.Builder configure(ServerConfig.Builder server) {
        return server.identities(identities).admission(policies);
    }

    /**
     * {@code POST /pipeline/reload}, {@code GET /cache/stats}, {@code DELETE /cache?stage=&prefix=},
     * {@code GET /windows} with window stages, and for a durable journal {@code GET /query} (all guarded).
     */
    void addRoutes(FerriteNode.Builder node) {
        if (journalDirectory != null) {
            QueryRoutes.addTo(node, journalDirectory);
        }
        if (stages != null) {
            WindowRoutes.addTo(node, Stages.windowStages(stages));
        }
        if (policies != null) {
            node.adminRoute("POST", "/pipeline/reload", request -> {
                try {
                    return AdminResponse.json(200, "{\"reloaded\":" + JsonText.quote(policies.reload()) + "}");
                } catch (PipelineException e) {
                    return AdminResponse.error(400, e.getMessage());
                }
            });
        }
        if (!caches.isEmpty()) {
            node.adminRoute("GET", "/cache/stats", request -> AdminResponse.json(200,
                "[" + String.join(",", caches.stream().map(EnrichStage::statsJson).toList()) + "]"));
            node.adminRoute("DELETE", "/cache", request -> {
                String stageName = request.parameter("stage", null);
                String prefix = request.parameter("prefix", null);
                long removed = 0;
                for (EnrichStage cache : caches) {
                    if (stageName == null || stageName.equals(cache.name())) {
                        removed += cache.invalidate(prefix);
                    }
                }
                return AdminResponse.json(200, "{\"removed\":" + removed + "}");
            });
        }
    }

    /** Routes', caches' and policies' figures into the node's registry; the stages that publish get the engine. */
    void registerMetrics(FerriteNode node) {
        if (stages != null) {
            Stages.registerInto(node.engine().metricRegistry(), stages);
            Stages.connect(stages, node.engine());
        }
        if (policies != null) {
            policies.stats().registerInto(node.engine().metricRegistry());
        }
    }

    /** The policies, for SIGHUP (null without a pipeline). */
    ReloadablePolicies policies() {
        return policies;
    }
}
