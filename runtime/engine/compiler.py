"""Compiling a script version into a state machine, once per version.

The compiled script holds one ``transitions.Machine``: its states are the
node ids and its triggers are the routes, named like ``Route.trigger``
(``intent:yes``, ``dtmf:1``, ``event:no_input``, ``event:next``). The
machine is the transition table only; it is not queued and keeps no call
state, so every call of the version shares it. A call is a model of that
machine: the machine keeps the call's current node in ``call.node`` and
runs the call's ``_enter_*`` methods when it enters a node.

Calls are not registered with ``Machine.add_model``: that binds two
methods per trigger and one per state onto every model and keeps each
model in ``machine.models`` until it is removed, which costs more than the
rest of a call's set-up and leaks calls that are abandoned. A call fires
``machine.events[trigger].trigger(call)``, which is what the bound trigger
methods call.
"""

from dataclasses import dataclass, field

from transitions import Machine

from designer.graph.document import (
    AMD_EVENTS,
    FORMAT,
    FORMAT_VERSION,
    LISTEN_EVENTS,
    LISTENING_TYPES,
    NODE_TYPES,
    OUTCOMES,
    TERMINAL_TYPES,
    Graph,
    Node,
    Route,
)

from .errors import ContactError, ScriptCompileError
from .variants import VariantPool, pools_of

# The state a call is in before ``Call.start``; a node id cannot look like
# this (the schema allows letters, digits, ``_`` and ``-``).
DIALING = "<dialing>"
START_TRIGGER = "start"
NEXT = "event:next"

REPEAT = "repeat"
HOLD_ON = "hold_on"
ANSWERING_MACHINE = "answering_machine"
BUSY_CALLBACK = "busy_callback"
# Built-in intents the engine acts on at every listening node, routed or
# not: matched everywhere so that they can be.
ENGINE_INTENTS = (ANSWERING_MACHINE, HOLD_ON, REPEAT)

# An utterance whose ASR confidence is below this is not matched at all and
# counts as ``no_match``: a guess on a few noisy syllables would route the
# call on nothing. Whisper gives clear speech well above 0.5.
MIN_ASR_CONFIDENCE = 0.2

LISTENING, SAYING, ENDING = "listening", "saying", "ending"
_ON_ENTER = {
    LISTENING: "_enter_listening",
    SAYING: "_enter_say",
    ENDING: "_enter_terminal",
}


@dataclass(frozen=True, slots=True)
class NodePlan:
    """What the engine needs at one node, worked out once per version."""

    node: Node
    behaviour: str
    # Every trigger the machine accepts at this node.
    triggers: frozenset[str]
    # Intent and DTMF triggers of the node's own routes, and of its own and
    # the global routes together.
    own: frozenset[str]
    routed: frozenset[str]
    # The intents to match an utterance against; None means all of them.
    candidates: tuple[str, ...] | None
    default_pool: VariantPool
    segment_pools: dict[str, VariantPool] = field(default_factory=dict)

    @property
    def is_amd(self) -> bool:
        return self.node.type == "amd_question"

    def pool_for(self, segment: str) -> VariantPool:
        return self.segment_pools.get(segment) or self.default_pool


class CompiledScript:
    """A script version ready to run calls; build it with ``compile_script``."""

    def __init__(self, graph, plans, machine, matcher, *, min_asr_confidence):
        self.graph = graph
        self.plans = plans
        self.machine = machine
        self.matcher = matcher
        self.min_asr_confidence = min_asr_confidence
        # No turn of a loop-free script enters more nodes than there are.
        self.max_steps = len(plans) + 1
        self.variable_defaults = {
            name: str(spec["default"])
            for name, spec in graph.variables.items()
            if isinstance(spec, dict) and "default" in spec
        }
        self.required_variables = frozenset(
            _variables_used(graph) & set(graph.variables)
        ) - set(self.variable_defaults)

    def missing_variables(self, contact) -> list[str]:
        """Declared variables the prompts use that ``contact`` lacks."""
        given = contact.variables
        return sorted(
            name for name in self.required_variables if given.get(name) in (None, "")
        )

    @property
    def language(self) -> str:
        return self.graph.language

    def start_call(self, *, call_id: str, contact, clock=None):
        """A new call, not started yet: call ``start()`` on it.

        Raises ``ContactError`` when the contact lacks a variable that a
        prompt uses and the script gives no default for.
        """
        from .call import Call

        missing = self.missing_variables(contact)
        if missing:
            raise ContactError(missing)
        return Call(self, call_id=call_id, contact=contact, clock=clock)

    def __repr__(self):
        return f"<CompiledScript {self.graph.language} start={self.graph.start!r}>"


def compile_script(
    document: dict,
    *,
    matcher=None,
    min_asr_confidence: float = MIN_ASR_CONFIDENCE,
) -> CompiledScript:
    """Compile a graph document (format version 1) for running calls.

    ``matcher`` defaults to an ``nlu.matcher.IntentMatcher`` for the
    document's language with the document's own intents (a shared one,
    from ``nlu.matcher.matcher_for``). Raises
    ``ScriptCompileError`` listing every reason the engine cannot run the
    document; the designer's validator is stricter and reports more.
    """
    graph = _read_graph(document)
    _check(graph)
    plans = {node.id: _plan(graph, node) for node in graph.nodes.values()}
    machine = _build_machine(graph, plans)
    if matcher is None:
        matcher = _default_matcher(graph)
    return CompiledScript(
        graph, plans, machine, matcher, min_asr_confidence=min_asr_confidence
    )


def _variables_used(graph: Graph) -> set[str]:
    """Names used by any template of the script (prompts, reprompts,
    transfer summaries); templates that do not compile use none."""
    from designer.graph.templates import TemplateError, check_template

    sources = []
    for node in graph.nodes.values():
        sources.extend(v.text for v in node.variants)
        sources.extend(node.reprompts_no_input + node.reprompts_no_match)
        if node.transfer_summary:
            sources.append(node.transfer_summary)
    used = set()
    for source in sources:
        try:
            used |= check_template(source)
        except TemplateError:
            continue
    return used


def _default_matcher(graph: Graph):
    # ``matcher_for`` builds an ``IntentMatcher`` once per language and set of
    # script intents, so versions that share them share one matcher.
    from nlu.matcher import matcher_for

    extra = {name: list(examples) for name, examples in graph.intents.items()}
    return matcher_for(graph.language, extra)


def _read_graph(document) -> Graph:
    if not isinstance(document, dict):
        raise ScriptCompileError(["the document is not a JSON object"])
    problems = []
    if document.get("format", FORMAT) != FORMAT:
        problems.append(f"format is {document.get('format')!r}, not {FORMAT!r}")
    if document.get("format_version", FORMAT_VERSION) != FORMAT_VERSION:
        problems.append(
            f"format_version {document.get('format_version')!r} is not supported "
            f"(this engine runs version {FORMAT_VERSION})"
        )
    ids = [n.get("id") for n in document.get("nodes") or () if isinstance(n, dict)]
    duplicated = sorted({i for i in ids if ids.count(i) > 1}, key=str)
    if duplicated:
        problems.append(f"node ids used twice: {', '.join(map(str, duplicated))}")
    if problems:
        raise ScriptCompileError(problems)
    try:
        return Graph.from_document(document)
    except KeyError as exc:
        raise ScriptCompileError(
            [f"required key {exc.args[0]!r} is missing; validate the document"]
        ) from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise ScriptCompileError(
            [f"the document does not have the graph's shape ({exc}); validate it"]
        ) from None


def _check(graph: Graph) -> None:
    problems = []
    nodes = graph.nodes
    if graph.start not in nodes:
        problems.append(f"start node {graph.start!r} does not exist")
    for route in graph.global_routes:
        problems += _route_problems("global route", route, nodes)
        if route.event is not None and route.event not in LISTEN_EVENTS + AMD_EVENTS:
            problems.append(f"global route: event {route.event!r} is not raised")

    for node in nodes.values():
        where = f"node {node.id!r}"
        if node.id == DIALING:
            problems.append(f"{where}: the id is reserved")
        if node.type not in NODE_TYPES:
            problems.append(f"{where}: unknown type {node.type!r}")
            continue
        for route in node.routes:
            problems += _route_problems(where, route, nodes)
        if node.type == "say" and node.route_for_event("next") is None:
            problems.append(f"{where}: a say node needs an event 'next' route")
        if node.type in LISTENING_TYPES:
            problems += _listening_problems(graph, node)
        if node.type in TERMINAL_TYPES:
            outcome = _outcome(node)
            if outcome not in OUTCOMES:
                problems.append(
                    f"{where}: outcome {outcome!r} is not one of {OUTCOMES}"
                )
            elif outcome == "transfer" and not node.transfer_target:
                problems.append(f"{where}: a transfer needs transfer.target")
    if problems:
        raise ScriptCompileError(problems)


def _route_problems(where: str, route: Route, nodes) -> list[str]:
    problems = []
    given = [k for k in ("intent", "dtmf", "event") if getattr(route, k) is not None]
    if len(given) != 1:
        problems.append(f"{where}: a route has exactly one of intent, dtmf, event")
    if route.to not in nodes:
        problems.append(
            f"{where}: route {route.trigger} goes to missing node {route.to!r}"
        )
    return problems


def _listening_problems(graph: Graph, node: Node) -> list[str]:
    table = _route_table(graph, node)
    unsure = node.type == "amd_question" and "event:unsure" in table
    return [
        f"node {node.id!r}: no route (own or global) for event {event!r}"
        for event in LISTEN_EVENTS
        if f"event:{event}" not in table and not unsure
    ]


def _outcome(node: Node) -> str | None:
    if node.outcome is None and node.type == "target_action":
        return "transfer"
    return node.outcome


def _route_table(graph: Graph, node: Node) -> dict[str, str]:
    """Trigger -> destination at a listening node: its own routes first,
    then the global ones; the first route of a trigger wins."""
    events = LISTEN_EVENTS + (AMD_EVENTS if node.type == "amd_question" else ())
    table = {}
    for route in node.routes + graph.global_routes:
        if route.event is not None and route.event not in events:
            continue
        table.setdefault(route.trigger, route.to)
    return table


def _behaviour(node: Node) -> str:
    if node.type in LISTENING_TYPES:
        return LISTENING
    if node.type in TERMINAL_TYPES:
        return ENDING
    return SAYING


def _plan(graph: Graph, node: Node) -> NodePlan:
    behaviour = _behaviour(node)
    default_pool, segment_pools = pools_of(node)
    if behaviour != LISTENING:
        triggers = {NEXT} if behaviour == SAYING else set()
        return NodePlan(
            node=node,
            behaviour=behaviour,
            triggers=frozenset(triggers),
            own=frozenset(),
            routed=frozenset(),
            candidates=(),
            default_pool=default_pool,
            segment_pools=segment_pools,
        )

    table = _route_table(graph, node)
    routed = frozenset(t for t in table if not t.startswith("event:"))
    own = frozenset(r.trigger for r in node.routes if r.event is None)
    builtins = {f"intent:{name}" for name in (REPEAT, HOLD_ON)} - routed
    reprompted = {
        f"event:{kind}"
        for kind, texts in (
            ("no_input", node.reprompts_no_input),
            ("no_match", node.reprompts_no_match),
        )
        if texts
    }
    if node.type == "amd_question":
        # Any recognised intent is evidence of a human, so match them all.
        candidates = None
    else:
        intents = {t.removeprefix("intent:") for t in routed if t.startswith("intent:")}
        candidates = tuple(sorted(intents | set(ENGINE_INTENTS)))
    return NodePlan(
        node=node,
        behaviour=behaviour,
        triggers=frozenset(table) | builtins | reprompted,
        own=own,
        routed=routed,
        candidates=candidates,
        default_pool=default_pool,
        segment_pools=segment_pools,
    )


def _build_machine(graph: Graph, plans: dict[str, NodePlan]) -> Machine:
    states = [{"name": DIALING}] + [
        {"name": node_id, "on_enter": _ON_ENTER[plan.behaviour]}
        for node_id, plan in plans.items()
    ]
    transitions = [{"trigger": START_TRIGGER, "source": DIALING, "dest": graph.start}]
    for node_id, plan in plans.items():
        node = plan.node
        if plan.behaviour == SAYING:
            transitions.append(
                {
                    "trigger": NEXT,
                    "source": node_id,
                    "dest": node.route_for_event("next").to,
                }
            )
        elif plan.behaviour == LISTENING:
            transitions += _listening_transitions(graph, node, plan)
    return Machine(
        model=None,
        states=states,
        transitions=transitions,
        initial=DIALING,
        model_attribute="node",
        auto_transitions=False,
        send_event=True,
        queued=False,
        ignore_invalid_triggers=False,
    )


def _listening_transitions(graph: Graph, node: Node, plan: NodePlan) -> list[dict]:
    source = node.id
    transitions = []
    # Reprompts come first: while one is left, the event stays at the node
    # (an internal transition: the node is not re-entered, its counters go
    # on); then the route is taken.
    for kind, texts in (
        ("no_input", node.reprompts_no_input),
        ("no_match", node.reprompts_no_match),
    ):
        if texts:
            transitions.append(
                {
                    "trigger": f"event:{kind}",
                    "source": source,
                    "dest": None,
                    "conditions": f"_may_reprompt_{kind}",
                    "after": f"_reprompt_{kind}",
                }
            )
    for trigger, dest in _route_table(graph, node).items():
        transitions.append({"trigger": trigger, "source": source, "dest": dest})
    if f"intent:{REPEAT}" not in plan.routed:
        transitions.append(
            {
                "trigger": f"intent:{REPEAT}",
                "source": source,
                "dest": None,
                "after": "_repeat_prompt",
            }
        )
    if f"intent:{HOLD_ON}" not in plan.routed:
        transitions += [
            {
                "trigger": f"intent:{HOLD_ON}",
                "source": source,
                "dest": None,
                "conditions": "_may_hold_on",
                "after": "_hold_on",
            },
            {
                "trigger": f"intent:{HOLD_ON}",
                "source": source,
                "dest": None,
                "after": "_listen_again",
            },
        ]
    return transitions
