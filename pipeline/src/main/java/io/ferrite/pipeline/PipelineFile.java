package io.ferrite.pipeline;

import io.ferrite.pipeline.actions.ActionSpec;
import io.ferrite.pipeline.lanes.LaneSpec;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a pipeline file (YAML 1.2, through SnakeYAML Engine's node API, which keeps every node's
 * line):
 * <pre>
 * name: orders                  # optional
 * stages:                       # in order; each sees the events its route matches
 *   - name: audit
 *     use: log                  # count | discard | log | a class from --stage-jar
 *     with: {every: 10000}      # the stage's options
 *   - name: orders
 *     use: com.example.Orders
 *     route:
 *       type: [1, 2]            # a number, a list, or {min: .., max: ..}
 *       priority: {max: 1}
 *       key: {min: 100, max: 199}
 *     lanes: {slots: 4096, slot-bytes: 512, lowest-every: 8, thread: stage}   # or lanes: true
 * </pre>
 * Every mistake is a {@link PipelineException} naming the file, the line and the field.
 *
 * <p>Thread-safety: stateless.
 */
public final class PipelineFile {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Set<String> TOP = Set.of("name", "stages", "policies", "actions");
    private static final Set<String> ACTION = Set.of("name", "http", "file", "log", "kafka", "timeout", "retries",
        "breaker", "max-parallelism");
    private static final Set<String> KAFKA = Set.of("bootstrap", "topic");
    private static final Set<String> HTTP = Set.of("url", "method", "headers", "body");
    private static final Set<String> RETRIES = Set.of("attempts", "base", "cap");
    private static final Set<String> BREAKER = Set.of("failures", "open-for");
    private static final Set<String> POLICY = Set.of("name", "priority", "when", "then");
    private static final Set<String> THEN = Set.of("tag", "route");
    private static final String OUTCOMES = "allow, deny, drop, or {tag: [NAMES], route: STAGE}";
    private static final Set<String> WHEN = Set.of("type", "key", "priority", "principal", "role", "payload");
    private static final Set<String> STAGE = Set.of("name", "use", "route", "with", "lanes", "actions");
    private static final Set<String> LANES = Set.of("slots", "slot-bytes", "lowest-every", "thread");
    private static final Set<String> ROUTE = Set.of("type", "key", "priority", "timestamp", "payload", "tag");
    private static final Set<String> BOUNDS = Set.of("min", "max");
    private static final Set<String> PAYLOAD_FIELD = Set.of("at", "u8", "u16", "u32", "i32", "i64");
    private static final Set<String> JSON_FIELD = Set.of("json", "is", "number");
    private static final Pattern JSON_PATH = Pattern.compile("[^.\"\\\\]+(\\.[^.\"\\\\]+)*");

    private PipelineFile() {
    }

    /** Parses and checks {@code file}. */
    public static Pipeline read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new PipelineException("cannot read pipeline file " + file + ": " + e, e);
        }
        return parse(file.toString(), text);
    }

    /** Parses and checks {@code text}, naming it {@code source} in errors. */
    public static Pipeline parse(String source, String text) {
        Optional<Node> root;
        try {
            root = new Compose(LoadSettings.builder().setLabel(source).build()).composeString(text);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            throw new PipelineException(source + ":" + line + ": not valid YAML: " + e.getProblem(), e);
        } catch (RuntimeException e) {
            throw new PipelineException(source + ": not valid YAML: " + e.getMessage(), e);
        }
        Reader reader = new Reader(source, new NodeReader(source));
        if (root.isEmpty()) {
            throw new PipelineException(source + ":1: the file is empty; it needs 'stages:', a list of stages");
        }
        return reader.pipeline(root.get());
    }

    /** Walks the node tree, keeping the file name for messages. */
    private record Reader(String source, NodeReader nodes) {
        Pipeline pipeline(Node root) {
            Map<String, Node> top = nodes.mapping(root, "the file", TOP);
            String name = top.containsKey("name") ? nodes.scalar(top.get("name"), "name") : "pipeline";
            Node stagesNode = top.get("stages");
            if (stagesNode == null) {
                throw nodes.error(root, "stages", "missing; a pipeline needs 'stages:', a list of stages");
            }
            if (!(stagesNode instanceof SequenceNode sequence) || sequence.getValue().isEmpty()) {
                throw nodes.error(stagesNode, "stages", "expected a list of stages (each '- name: ... use: ...')");
            }
            List<ActionSpec> actions = actions(top.get("actions"));
            List<StageSpec> stages = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (int i = 0; i < sequence.getValue().size(); i++) {
                StageSpec stage = stage(sequence.getValue().get(i), "stages[" + i + "]");
                if (!names.add(stage.name())) {
                    throw nodes.error(sequence.getValue().get(i), "stages[" + i + "].name", "'" + stage.name()
                        + "' is already the name of an earlier stage; names must be unique");
                }
                for (String action : stage.actions()) {
                    if (actions.stream().noneMatch(a -> a.name().equals(action))) {
                        throw nodes.error(sequence.getValue().get(i), "stages[" + i + "].actions", "no action '" + action
                            + "'; the actions are " + actions.stream().map(ActionSpec::name).toList());
                    }
                }
                stages.add(stage);
            }
            List<PolicySpec> policies = new ArrayList<>();
            if (top.containsKey("policies")) {
                Node policiesNode = top.get("policies");
                if (!(policiesNode instanceof SequenceNode list)) {
                    throw nodes.error(policiesNode, "policies", "expected a list of rules (each '- name: ... then: deny')");
                }
                Set<String> policyNames = new HashSet<>();
                for (int i = 0; i < list.getValue().size(); i++) {
                    PolicySpec policy = policy(list.getValue().get(i), "policies[" + i + "]", stages);
                    if (!policyNames.add(policy.name())) {
                        throw nodes.error(list.getValue().get(i), "policies[" + i + "].name", "'" + policy.name()
                            + "' is already the name of an earlier rule");
                    }
                    policies.add(policy);
                }
            }
            checkTags(stages, policies);
            return new Pipeline(name, stages, policies, actions, source);
        }

        private List<ActionSpec> actions(Node node) {
            if (node == null) {
                return List.of();
            }
            if (!(node instanceof SequenceNode list)) {
                throw nodes.error(node, "actions", "expected a list of actions (each '- name: ... http: {url: ...}')");
            }
            List<ActionSpec> actions = new ArrayList<>();
            for (int i = 0; i < list.getValue().size(); i++) {
                ActionSpec action = action(list.getValue().get(i), "actions[" + i + "]");
                if (actions.stream().anyMatch(a -> a.name().equals(action.name()))) {
                    throw nodes.error(list.getValue().get(i), "actions[" + i + "].name", "'" + action.name()
                        + "' is already the name of an earlier action");
                }
                actions.add(action);
            }
            return actions;
        }

        private ActionSpec action(Node node, String path) {
            Map<String, Node> fields = nodes.mapping(node, path, ACTION);
            String name = fields.containsKey("name") ? nodes.scalar(fields.get("name"), path + ".name") : null;
            if (name == null || !NAME.matcher(name).matches()) {
                throw nodes.error(node, path + ".name", name == null ? "missing; every action needs a name"
                    : "'" + name + "' is not an action name: lower case letters, digits, '-' and '_', at most 63");
            }
            List<String> kinds = fields.keySet().stream().filter(Set.of("http", "file", "log", "kafka")::contains).toList();
            if (kinds.size() != 1) {
                throw nodes.error(node, path, "say what the action does, once: http: {url: ...}, file: PATH, log: info or"
                    + " kafka: {bootstrap: HOST:PORT, topic: T}");
            }
            String kind = kinds.getFirst();
            Map<String, Node> http = kind.equals("http") ? nodes.mapping(fields.get("http"), path + ".http", HTTP) : Map.of();
            Map<String, Node> kafka = kind.equals("kafka") ? nodes.mapping(fields.get("kafka"), path + ".kafka", KAFKA) : Map.of();
            String target = switch (kind) {
                case "http" -> {
                    String url = http.containsKey("url") ? nodes.scalar(http.get("url"), path + ".http.url") : "";
                    if (!url.startsWith("http")) {
                        throw nodes.error(fields.get("http"), path + ".http.url", "expected an http(s) URL; {key}, {type} and"
                            + " {eventId} are replaced by the event's");
                    }
                    yield url;
                }
                case "kafka" -> {
                    if (!kafka.containsKey("bootstrap") || !kafka.containsKey("topic")) {
                        throw nodes.error(fields.get("kafka"), path + ".kafka", "needs bootstrap: HOST:PORT[,...] and topic: NAME");
                    }
                    yield nodes.scalar(kafka.get("topic"), path + ".kafka.topic");
                }
                default -> nodes.scalar(fields.get(kind), path + "." + kind);
            };
            String bootstrap = kafka.isEmpty() ? null : nodes.scalar(kafka.get("bootstrap"), path + ".kafka.bootstrap");
            Map<String, String> headers = new LinkedHashMap<>();
            if (http.containsKey("headers") && http.get("headers") instanceof MappingNode map) {
                map.getValue().forEach(t -> headers.put(nodes.scalar(t.getKeyNode(), path + ".http.headers"),
                    nodes.scalar(t.getValueNode(), path + ".http.headers")));
            }
            String body = http.containsKey("body") ? nodes.scalar(http.get("body"), path + ".http.body") : "event";
            if (!Set.of("event", "payload", "none").contains(body)) {
                throw nodes.error(http.get("body"), path + ".http.body", "expected event (a JSON object), payload (its bytes) or none");
            }
            Map<String, Node> retries = fields.containsKey("retries") ? nodes.mapping(fields.get("retries"), path + ".retries", RETRIES) : Map.of();
            Map<String, Node> breaker = fields.containsKey("breaker") ? nodes.mapping(fields.get("breaker"), path + ".breaker", BREAKER) : Map.of();
            return new ActionSpec(name, ActionSpec.Kind.valueOf(kind.toUpperCase(Locale.ROOT)), target,
                http.containsKey("method") ? nodes.scalar(http.get("method"), path + ".http.method").toUpperCase(Locale.ROOT) : "POST",
                headers, ActionSpec.Body.valueOf(body.toUpperCase(Locale.ROOT)), nodes.duration(fields.get("timeout"), path + ".timeout", "30s"),
                (int) nodes.numberOr(retries, "attempts", path + ".retries", 1, 100, 5),
                nodes.duration(retries.get("base"), path + ".retries.base", "100ms"), nodes.duration(retries.get("cap"), path + ".retries.cap", "30s"),
                (int) nodes.numberOr(breaker, "failures", path + ".breaker", 0, 1_000_000, 5),
                nodes.duration(breaker.get("open-for"), path + ".breaker.open-for", "30s"),
                (int) nodes.numberOr(fields, "max-parallelism", path, 1, 10_000, 100),
                bootstrap, source + ":" + NodeReader.line(node));
        }


        /** The tags routes ask for are given by some policy; 16 bits suffice for tags and routes. */
        private void checkTags(List<StageSpec> stages, List<PolicySpec> policies) {
            Marks marks = Marks.of(policies);
            for (int i = 0; i < stages.size(); i++) {
                for (String tag : stages.get(i).tags()) {
                    if (!marks.tags().contains(tag)) {
                        throw new PipelineException(stages.get(i).where() + ": stages[" + i + "].route.tag: no policy"
                            + " gives the tag '" + tag + "'" + (marks.tags().isEmpty()
                            ? "; tags come from policies (then: {tag: [NAMES]})" : "; the tags are " + marks.tags()));
                    }
                }
            }
        }

        private PolicySpec policy(Node node, String path, List<StageSpec> stages) {
            Map<String, Node> fields = nodes.mapping(node, path, POLICY);
            if (!fields.containsKey("name")) {
                throw nodes.error(node, path + ".name", "missing; every rule needs a name (it is in the REJECT it causes)");
            }
            String name = nodes.scalar(fields.get("name"), path + ".name");
            if (!NAME.matcher(name).matches()) {
                throw nodes.error(fields.get("name"), path + ".name", "'" + name + "' is not a rule name: lower case letters,"
                    + " digits, '-' and '_', at most 63");
            }
            Integer priority = fields.containsKey("priority")
                ? (int) nodes.number(fields.get("priority"), path + ".priority", 0, Integer.MAX_VALUE, "a number 0.."
                    + Integer.MAX_VALUE + " (lower first)") : null;
            Node thenNode = fields.get("then");
            if (thenNode == null) {
                throw nodes.error(node, path + ".then", "missing; say what a match does: " + OUTCOMES);
            }
            PolicySpec.Outcome outcome;
            List<String> tags = List.of();
            String routeTo = null;
            if (thenNode instanceof ScalarNode) {
                String then = nodes.scalar(thenNode, path + ".then");
                outcome = switch (then) {
                    case "allow" -> PolicySpec.Outcome.ALLOW;
                    case "deny" -> PolicySpec.Outcome.DENY;
                    case "drop" -> PolicySpec.Outcome.DROP;
                    default -> throw nodes.error(thenNode, path + ".then", "'" + then + "' is not an outcome; expected " + OUTCOMES);
                };
            } else {
                Map<String, Node> marks = nodes.mapping(thenNode, path + ".then", THEN);
                outcome = PolicySpec.Outcome.MARK;
                if (marks.containsKey("tag")) {
                    tags = nodes.names(marks.get("tag"), path + ".then.tag");
                    for (String tag : tags) {
                        if (!NAME.matcher(tag).matches()) {
                            throw nodes.error(marks.get("tag"), path + ".then.tag", "'" + tag + "' is not a tag: lower case"
                                + " letters, digits, '-' and '_', at most 63");
                        }
                    }
                }
                if (marks.containsKey("route")) {
                    routeTo = nodes.scalar(marks.get("route"), path + ".then.route");
                    String target = routeTo;
                    if (stages.stream().noneMatch(stage -> stage.name().equals(target))) {
                        throw nodes.error(marks.get("route"), path + ".then.route", "no stage '" + routeTo + "'; the stages are "
                            + stages.stream().map(StageSpec::name).toList());
                    }
                }
                if (tags.isEmpty() && routeTo == null) {
                    throw nodes.error(thenNode, path + ".then", "give tag: [NAMES] and/or route: STAGE");
                }
            }
            Route when = Route.ALL;
            List<String> principals = List.of();
            List<String> roles = List.of();
            if (fields.containsKey("when")) {
                Map<String, Node> conditions = nodes.mapping(fields.get("when"), path + ".when", WHEN);
                when = new Route(nodes.match(conditions.get("type"), path + ".when.type", 0, Integer.MAX_VALUE),
                    nodes.match(conditions.get("key"), path + ".when.key", Long.MIN_VALUE, Long.MAX_VALUE),
                    nodes.match(conditions.get("priority"), path + ".when.priority", 0, 3), FieldMatch.ANY,
                    payload(conditions.get("payload"), path + ".when.payload"));
                principals = nodes.names(conditions.get("principal"), path + ".when.principal");
                roles = nodes.names(conditions.get("role"), path + ".when.role");
            }
            return new PolicySpec(name, priority, when, principals, roles, outcome, tags, routeTo, source + ":" + NodeReader.line(node));
        }

        /** {json: a.b, is: [x, y]} or {json: a.b, number: condition}. */
        private JsonField json(Node node, String path) {
            Map<String, Node> field = nodes.mapping(node, path, JSON_FIELD);
            String jsonPath = nodes.scalar(field.get("json"), path + ".json");
            if (!JSON_PATH.matcher(jsonPath).matches()) {
                throw nodes.error(field.get("json"), path + ".json", "'" + jsonPath + "' is not a path of object keys like"
                    + " customer.tier");
            }
            if (field.containsKey("is") == field.containsKey("number")) {
                throw nodes.error(node, path, "give one condition: is: [strings] or number: (a number, a list, or {min, max})");
            }
            return field.containsKey("is") ? JsonField.oneOf(jsonPath, nodes.names(field.get("is"), path + ".is"))
                : JsonField.number(jsonPath, nodes.match(field.get("number"), path + ".number", Long.MIN_VALUE, Long.MAX_VALUE));
        }

        private StageSpec stage(Node node, String path) {
            Map<String, Node> fields = nodes.mapping(node, path, STAGE);
            Node nameNode = fields.get("name");
            if (nameNode == null) {
                throw nodes.error(node, path + ".name", "missing; every stage needs a name (lower case, digits, '-', '_')");
            }
            String name = nodes.scalar(nameNode, path + ".name");
            if (!NAME.matcher(name).matches()) {
                throw nodes.error(nameNode, path + ".name", "'" + name + "' is not a stage name: lower case letters, digits,"
                    + " '-' and '_', at most 63");
            }
            Node useNode = fields.get("use");
            List<String> actions = fields.containsKey("actions") ? nodes.names(fields.get("actions"), path + ".actions") : List.of();
            if ((useNode == null) == actions.isEmpty()) {
                throw nodes.error(node, path + (useNode == null ? ".use" : ".actions"), useNode == null
                    ? "missing; say what the stage runs: " + String.join(", ", Stages.BUILT_IN) + ", a class name from"
                        + " --stage-jar, or actions: [NAMES]" : "a stage runs a handler (use:) or actions, not both");
            }
            String use = useNode == null ? Stages.ACTIONS : nodes.scalar(useNode, path + ".use");
            Route route = fields.containsKey("route") ? route(fields.get("route"), path + ".route") : Route.ALL;
            List<String> tags = List.of();
            if (fields.containsKey("route")) {
                Node tagNode = nodes.mapping(fields.get("route"), path + ".route", ROUTE).get("tag");
                tags = tagNode == null ? List.of() : nodes.names(tagNode, path + ".route.tag");
            }
            Map<String, String> options = new LinkedHashMap<>();
            if (fields.containsKey("with")) {
                Node with = fields.get("with");
                if (!(with instanceof MappingNode map)) {
                    throw nodes.error(with, path + ".with", "expected a map of options, e.g. {every: 1000}");
                }
                for (NodeTuple tuple : map.getValue()) {
                    String key = nodes.scalar(tuple.getKeyNode(), path + ".with");
                    options.put(key, nodes.scalar(tuple.getValueNode(), path + ".with." + key));
                }
            }
            LaneSpec lanes = fields.containsKey("lanes") ? lanes(fields.get("lanes"), path + ".lanes") : null;
            return new StageSpec(name, use, route, tags, options, lanes, actions, source + ":" + NodeReader.line(node));
        }

        /** {@code true} (the defaults), {@code false}, or {slots: N, slot-bytes: N, lowest-every: N, thread: stage|own}. */
        private LaneSpec lanes(Node node, String path) {
            if (node instanceof ScalarNode scalar && Set.of("true", "false").contains(scalar.getValue())) {
                return scalar.getValue().equals("true") ? LaneSpec.DEFAULT : null;
            }
            Map<String, Node> fields = nodes.mapping(node, path, LANES);
            LaneSpec fallback = LaneSpec.DEFAULT;
            int slots = (int) nodes.numberOr(fields, "slots", path, 1, 1 << 20, fallback.slots());
            int slotBytes = (int) nodes.numberOr(fields, "slot-bytes", path, 64, 1 << 20, fallback.slotBytes());
            if (slotBytes % 8 != 0) {
                throw nodes.error(fields.get("slot-bytes"), path + ".slot-bytes", "must be a multiple of 8, got " + slotBytes);
            }
            int lowestEvery = (int) nodes.numberOr(fields, "lowest-every", path, 1, 1 << 20, fallback.lowestEvery());
            boolean ownThread = false;
            if (fields.containsKey("thread")) {
                String thread = nodes.scalar(fields.get("thread"), path + ".thread");
                if (!thread.equals("stage") && !thread.equals("own")) {
                    throw nodes.error(fields.get("thread"), path + ".thread", "expected stage (the handler runs on the stage"
                        + " thread, the default) or own (a lane worker thread of its own), got '" + thread + "'");
                }
                ownThread = thread.equals("own");
            }
            return new LaneSpec(slots, slotBytes, lowestEvery, ownThread);
        }

        private Route route(Node node, String path) {
            Map<String, Node> fields = nodes.mapping(node, path, ROUTE);
            return new Route(nodes.match(fields.get("type"), path + ".type", 0, Integer.MAX_VALUE),
                nodes.match(fields.get("key"), path + ".key", Long.MIN_VALUE, Long.MAX_VALUE),
                nodes.match(fields.get("priority"), path + ".priority", 0, 3), timestamps(fields.get("timestamp"), path + ".timestamp"),
                payload(fields.get("payload"), path + ".payload"));
        }

        /** {min: INSTANT, max: INSTANT}: ISO-8601 instants (2026-12-01T00:00:00Z) or epoch nanoseconds. */
        private FieldMatch timestamps(Node node, String path) {
            if (node == null) {
                return FieldMatch.ANY;
            }
            Map<String, Node> bounds = nodes.mapping(node, path, BOUNDS);
            long min = bounds.containsKey("min") ? nodes.instant(bounds.get("min"), path + ".min") : Long.MIN_VALUE;
            long max = bounds.containsKey("max") ? nodes.instant(bounds.get("max"), path + ".max") : Long.MAX_VALUE;
            if (min > max) {
                throw nodes.error(node, path, "min is after max");
            }
            return FieldMatch.between(min, max);
        }


        /** A list of {at: OFFSET, TYPE: condition} or {json: PATH, is: [...] | number: condition}. */
        private List<PayloadCondition> payload(Node node, String path) {
            if (node == null) {
                return List.of();
            }
            if (!(node instanceof SequenceNode list) || list.getValue().isEmpty()) {
                throw nodes.error(node, path, "expected a list of fields, e.g. [{at: 0, u32: 7}, {at: 8, i64: {min: 0}}]");
            }
            List<PayloadCondition> fields = new ArrayList<>();
            for (int i = 0; i < list.getValue().size(); i++) {
                Node item = list.getValue().get(i);
                String itemPath = path + "[" + i + "]";
                if (item instanceof MappingNode map && map.getValue().stream()
                    .anyMatch(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("json"))) {
                    fields.add(json(item, itemPath));
                    continue;
                }
                Map<String, Node> field = nodes.mapping(item, itemPath, PAYLOAD_FIELD);
                if (!field.containsKey("at")) {
                    throw nodes.error(item, itemPath + ".at", "missing; the field's byte offset in the payload");
                }
                int at = (int) nodes.number(field.get("at"), itemPath + ".at", 0, Integer.MAX_VALUE, "a byte offset 0.."
                    + Integer.MAX_VALUE);
                List<String> types = field.keySet().stream().filter(k -> !k.equals("at")).toList();
                if (types.size() != 1) {
                    throw nodes.error(item, itemPath, "give the field's type and condition once: one of u8, u16, u32, i32, i64");
                }
                PayloadMatch.Width width = PayloadMatch.Width.valueOf(types.getFirst().toUpperCase(Locale.ROOT));
                fields.add(new PayloadMatch(at, width, nodes.match(field.get(types.getFirst()), itemPath + "." + types.getFirst(),
                    width.min, width.max)));
            }
            return fields;
        }






    }
}
