"""One call of a compiled script: events in, actions out, facts logged.

A ``Call`` is the model of its script's state machine (see
``compiler.py``): the machine sets ``call.node`` and calls the
``_enter_*`` methods below when a route is taken. Everything else a call
knows (counters, what was heard, the log) lives here.
"""

import logging
import time

from designer.graph.templates import TemplateError, render_template

from . import messages as m
from .compiler import (
    ANSWERING_MACHINE,
    BUSY_CALLBACK,
    DIALING,
    NEXT,
    SAYING,
    START_TRIGGER,
    CompiledScript,
    _outcome,
)
from .errors import CallEnded, CallNotStarted, EngineError, ScriptLoopError

logger = logging.getLogger("outcall.engine")

# ``hold_on`` ("one moment") waits this long, or the node's own timeout if
# that is longer, the first time it is heard at a node.
HOLD_ON_TIMEOUT = 15.0


class Call:
    """A call in progress. Create it with ``CompiledScript.start_call``."""

    def __init__(self, script: CompiledScript, *, call_id: str, contact, clock=None):
        self.script = script
        self.call_id = call_id
        self.contact = contact
        if clock is None:
            started = time.monotonic()

            def clock():
                return time.monotonic() - started

        self._clock = clock
        self.node = None  # set by the machine (its ``model_attribute``)
        self.path = []
        self.variant_choices = {}
        self.log = []
        self.finished = False
        self.outcome = None
        self.callback_time = None
        self.last_utterance = None
        self.intents_heard = []
        self.machine_heard = False

        self._drawn = {}
        self._actions = []
        self._steps = 0
        self._no_input_count = 0
        self._no_match_count = 0
        self._held = False

    def __repr__(self):
        return f"<Call {self.call_id} at {self.node} outcome={self.outcome}>"

    # The public side.

    def start(self) -> list:
        """Enter the start node; the actions of the robot's first turn."""
        if self.node is not None:
            raise EngineError(f"call {self.call_id} has already started")
        self.script.machine.set_state(DIALING, model=self)
        return self._turn(self._fire, START_TRIGGER)

    def handle(self, event) -> list:
        """Hand one event to the call; the actions to carry out, in order."""
        if self.node is None:
            raise CallNotStarted(f"call {self.call_id}: call start() before handle()")
        if self.finished:
            outcome = self.outcome or "without an outcome"
            raise CallEnded(
                f"call {self.call_id} has ended ({outcome}) at node {self.node!r}; "
                "it takes no more events"
            )
        handler = self._handlers.get(type(event))
        if handler is None:
            raise TypeError(
                f"call {self.call_id}: cannot handle {event!r}; events are "
                "Utterance, NoInput, Dtmf and CallerHangup"
            )
        return self._turn(handler, self, event)

    def drain_log(self) -> list:
        """The events logged since the last drain, for a batched write."""
        events, self.log = self.log, []
        return events

    @property
    def context(self) -> dict:
        """What the engine knows of the call, for the operator and the
        telephony layer."""
        return {
            "call_id": self.call_id,
            "phone": self.contact.phone,
            "segment": self.contact.segment,
            "variables": dict(self.contact.variables),
            "intents_heard": list(self.intents_heard),
            "path": list(self.path),
            "callback_time": self.callback_time,
            "last_utterance": self.last_utterance,
            "answering_machine_heard": self.machine_heard,
        }

    # Events in.

    def _turn(self, handler, *args) -> list:
        self._actions = []
        self._steps = 0
        try:
            handler(*args)
            # A say node goes on at once; the loop (not a trigger fired
            # from inside a callback) keeps long chains off the stack.
            while not self.finished and self._plan.behaviour == SAYING:
                self._fire(NEXT)
        except ScriptLoopError as exc:
            self.finished = True
            logger.error("%s", exc)
            raise
        actions, self._actions = self._actions, []
        return actions

    def _on_utterance(self, event: m.Utterance) -> None:
        plan = self._plan
        text = event.text
        self.last_utterance = text
        intent, confidence, slots = None, 0.0, None
        if event.confidence >= self.script.min_asr_confidence:
            try:
                match = self.script.matcher.match(text, candidates=plan.candidates)
            except Exception:
                # A matcher that fails on one utterance must not end the
                # call: the caller hears the no_match reprompt instead.
                logger.exception(
                    "%s: the matcher failed on %r at node %s",
                    self.call_id,
                    text,
                    self.node,
                )
            else:
                intent, confidence, slots = match.intent, match.confidence, match.slots
        self._log(
            m.UTTERANCE,
            {
                "text": text,
                "intent": intent,
                "confidence": confidence,
                "asr_confidence": event.confidence,
            },
        )
        if intent is None:
            self._not_understood("no_match", text)
            return

        self._heard(intent, slots)
        trigger = f"intent:{intent}"
        if plan.is_amd:
            self._amd_answer(plan, intent, trigger)
        elif trigger in plan.triggers:
            self._fire(trigger)
        else:
            self._not_understood("no_match", text)

    def _on_no_input(self, event: m.NoInput) -> None:
        self._not_understood("no_input")

    def _on_dtmf(self, event: m.Dtmf) -> None:
        self._log(m.DTMF, {"digit": event.digit})
        trigger = f"dtmf:{event.digit}"
        if trigger in self._plan.routed:
            self._fire(trigger)
        else:
            self._not_understood("no_match", "")

    def _on_hangup(self, event: m.CallerHangup) -> None:
        if event.during_prompt and event.node in self.script.plans:
            # The call is over: leaving the machine's state for the node whose
            # prompt the caller was hearing keeps drop-off where it happened.
            self.node = event.node
        self._log(
            m.HANGUP, {"during_prompt": event.during_prompt, "heard": event.heard}
        )
        self._end("dropped")

    _handlers = {
        m.Utterance: _on_utterance,
        m.NoInput: _on_no_input,
        m.Dtmf: _on_dtmf,
        m.CallerHangup: _on_hangup,
    }

    # Deciding.

    def _heard(self, intent: str, slots) -> None:
        if intent not in self.intents_heard:
            self.intents_heard.append(intent)
        if intent == ANSWERING_MACHINE:
            self.machine_heard = True
        if intent == BUSY_CALLBACK and slots and slots.get("when"):
            self.callback_time = slots["when"]

    def _amd_answer(self, plan, intent: str, trigger: str) -> None:
        """An answer at an ``amd_question``: the node's own routes, then
        ``machine``, the global routes, ``human``, the built-ins."""
        machine = intent == ANSWERING_MACHINE or self.machine_heard
        if trigger in plan.own:
            self._fire(trigger)
        elif machine and "event:machine" in plan.triggers:
            self._fire("event:machine")
        elif trigger in plan.routed:
            self._fire(trigger)
        elif intent != ANSWERING_MACHINE and "event:human" in plan.triggers:
            self._fire("event:human")
        elif trigger in plan.triggers:
            self._fire(trigger)
        else:
            self._not_understood("no_match", self.last_utterance)

    def _not_understood(self, kind: str, text: str | None = None) -> None:
        """Silence or an answer with no route: a reprompt while one is
        left, then the route; at an ``amd_question``, ``machine`` if one was
        heard, else, once the reprompts are used up, the node's own route
        for the event or ``unsure``."""
        if kind == "no_input":
            self._no_input_count += 1
            self._log(m.NO_INPUT, {"attempt": self._no_input_count})
        else:
            self._no_match_count += 1
            self._log(m.NO_MATCH, {"attempt": self._no_match_count, "text": text})

        plan = self._plan
        if plan.is_amd:
            if self.machine_heard and "event:machine" in plan.triggers:
                self._fire("event:machine")
                return
            # The node's own no_input/no_match route comes before unsure
            # (docs/graph-format.md); global ones never apply here.
            own = plan.node.route_for_event(kind) is not None
            if not self._reprompt_left(kind) and not own and "event:unsure" in plan.triggers:
                self._fire("event:unsure")
                return
        self._fire(f"event:{kind}")

    def _reprompt_left(self, kind: str) -> bool:
        node = self._plan.node
        if kind == "no_input":
            return self._no_input_count <= len(node.reprompts_no_input)
        return self._no_match_count <= len(node.reprompts_no_match)

    def _fire(self, trigger: str) -> None:
        self.script.machine.events[trigger].trigger(self)

    @property
    def _plan(self):
        return self.script.plans[self.node]

    # Callbacks of the machine (``send_event=True``: each gets an EventData).

    def _enter_listening(self, event) -> None:
        self._entered(event)
        self._no_input_count = self._no_match_count = 0
        self._held = False
        self._say_prompt()
        self._listen()

    def _enter_say(self, event) -> None:
        self._entered(event)
        self._say_prompt()

    def _enter_terminal(self, event) -> None:
        self._entered(event)
        self._say_prompt()
        node = self._plan.node
        outcome = _outcome(node)
        if node.type == "target_action":
            self._log(
                m.TARGET_REACHED, {"target": node.transfer_target, "outcome": outcome}
            )
        context = self.context
        if outcome == "transfer":
            summary = self._render_summary(node)
            self._actions.append(
                m.Transfer(node.id, node.transfer_target, summary, context)
            )
        else:
            self._actions.append(m.HangUp(node.id, outcome, context))
        self._end(outcome)

    def _may_reprompt_no_input(self, event) -> bool:
        return self._reprompt_left("no_input")

    def _may_reprompt_no_match(self, event) -> bool:
        return self._reprompt_left("no_match")

    def _reprompt_no_input(self, event) -> None:
        texts = self._plan.node.reprompts_no_input
        self._say_reprompt("no_input", self._no_input_count, texts)

    def _reprompt_no_match(self, event) -> None:
        texts = self._plan.node.reprompts_no_match
        self._say_reprompt("no_match", self._no_match_count, texts)

    def _repeat_prompt(self, event) -> None:
        self._say_prompt()
        self._listen()

    def _may_hold_on(self, event) -> bool:
        return not self._held

    def _hold_on(self, event) -> None:
        self._held = True
        node = self._plan.node
        self._actions.append(
            m.Listen(
                node.id,
                max(HOLD_ON_TIMEOUT, node.no_input_timeout),
                node.endpoint_silence,
            )
        )

    def _listen_again(self, event) -> None:
        self._listen()

    # Doing.

    def _entered(self, event) -> None:
        self._steps += 1
        if self._steps > self.script.max_steps:
            raise ScriptLoopError(self._loop_message())
        source = event.transition.source
        self.path.append(self.node)
        logger.debug(
            "%s: %s -> %s on %s", self.call_id, source, self.node, event.event.name
        )
        self._log(
            m.NODE_ENTERED,
            {
                "from": None if source == DIALING else source,
                "trigger": event.event.name,
            },
        )

    def _loop_message(self) -> str:
        tail = " -> ".join(self.path[-8:])
        return (
            f"{self.call_id}: more than {self.script.max_steps} nodes entered "
            f"in one turn ({tail}); the script loops through say nodes"
        )

    def _listen(self) -> None:
        node = self._plan.node
        self._actions.append(
            m.Listen(node.id, node.no_input_timeout, node.endpoint_silence)
        )

    def _say_prompt(self) -> None:
        """Say the node's prompt, in the variant drawn for this call.

        A variant whose template fails is replaced by the next one that
        renders: the other variants of the contact's segment, then the
        default variants, in document order. If none renders, the prompt
        is skipped. Either way the failure is logged as a warning.
        """
        plan = self._plan
        node = plan.node
        drawn = self._drawn.get(node.id)
        if drawn is None:
            pool = plan.pool_for(self.contact.segment)
            drawn = pool.draw(self.call_id, node.id)
            if drawn is None:
                if node.variants:
                    logger.warning(
                        "%s: node %s has no variant for segment %r nor a default one; "
                        "prompt skipped",
                        self.call_id,
                        node.id,
                        self.contact.segment,
                    )
                return
            self._drawn[node.id] = drawn

        for variant in self._fallbacks(plan, drawn):
            try:
                text = self._render(variant.text)
            except TemplateError as exc:
                logger.warning(
                    "%s: node %s variant %s does not render (%s)",
                    self.call_id,
                    node.id,
                    variant.id,
                    exc,
                )
                continue
            if variant is not drawn:
                logger.warning(
                    "%s: node %s said variant %s instead of %s",
                    self.call_id,
                    node.id,
                    variant.id,
                    drawn.id,
                )
            self.variant_choices[node.id] = variant.id
            self._say(node, text, variant.id, variant.segment, variant.audio)
            return
        logger.warning(
            "%s: node %s has no variant that renders; prompt skipped",
            self.call_id,
            node.id,
        )

    def _fallbacks(self, plan, drawn):
        yield drawn
        pool = plan.pool_for(self.contact.segment)
        for variant in pool.variants:
            if variant is not drawn:
                yield variant
        if pool is not plan.default_pool:
            yield from plan.default_pool.variants

    def _say_reprompt(self, kind: str, attempt: int, texts) -> None:
        node = self._plan.node
        try:
            text = self._render(texts[attempt - 1])
        except TemplateError as exc:
            logger.warning(
                "%s: node %s %s reprompt %d does not render (%s); skipped",
                self.call_id,
                node.id,
                kind,
                attempt,
                exc,
            )
        else:
            self._say(node, text, f"{kind}.{attempt}", None, None)
        self._listen()

    def _say(self, node, text, variant_id, segment, audio) -> None:
        self._actions.append(m.Say(node.id, text, variant_id, node.barge_in, audio))
        self._log(
            m.PROMPT_PLAYED,
            {
                "variant": variant_id,
                "text": text,
                "segment": segment,
                "barge_in": node.barge_in,
            },
        )

    def _render_summary(self, node) -> str:
        source = node.transfer_summary or ""
        try:
            return self._render(source)
        except TemplateError as exc:
            # Template source means nothing to an operator: they get the
            # plain facts of the call instead (the context has them all).
            logger.warning(
                "%s: transfer summary of node %s does not render (%s); "
                "a plain summary is sent",
                self.call_id,
                node.id,
                exc,
            )
            return self._plain_summary()

    def _plain_summary(self) -> str:
        facts = [f"{k}: {v}" for k, v in sorted(self.contact.variables.items())]
        if self.contact.segment:
            facts.append(f"segment: {self.contact.segment}")
        if self.callback_time:
            facts.append(f"callback: {self.callback_time}")
        if self.intents_heard:
            facts.append("heard: " + ", ".join(self.intents_heard))
        if self.last_utterance:
            facts.append(f"last words: {self.last_utterance}")
        return "; ".join(facts)

    def _render(self, source: str) -> str:
        if "{" not in source:
            # No Jinja syntax: the text renders as itself (whitespace
            # collapsed, as render_template does), so skip the sandbox.
            return " ".join(source.split())
        return render_template(source, self._template_context())

    def _template_context(self) -> dict:
        context = dict(self.script.variable_defaults)
        context.update(
            (name, value)
            for name, value in self.contact.variables.items()
            if value not in (None, "")
        )
        context.update(
            phone=self.contact.phone,
            segment=self.contact.segment,
            call_id=self.call_id,
            callback_time=self.callback_time or "",
            last_utterance=self.last_utterance or "",
            intents_heard=list(self.intents_heard),
        )
        return context

    def _end(self, outcome: str) -> None:
        self.finished = True
        self.outcome = outcome
        self._log(m.CALL_ENDED, {"outcome": outcome})

    def _log(self, kind: str, data: dict) -> None:
        self.log.append(m.LogEvent(kind, self.node, self._clock(), data))
