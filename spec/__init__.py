"""The QTS Phase 4 runtime contracts: value types, order states and THE transition
table, the risk gate, the loop and its stop policies, and the implementation binding.

``spec`` imports nothing outside the standard library but ``typing_extensions``; the
clauses it implements are stated in ``docs/specification.md``.
"""

from spec.binding import BINDING_ATTRIBUTE, Implementation
from spec.clauses import CLAUSES, Clause
from spec.errors import (
    ExtensionError,
    InvalidIntent,
    InvalidResponse,
    InvalidTransition,
    LoopReentered,
    RestingOrderError,
    SpecError,
)
from spec.extension import (
    declare_extension,
    extension_breaches,
    response_path_problem,
    termination_breaches,
)
from spec.interface import gate_interface_breaches, implementation_breaches, loop_interface_breaches
from spec.loop import ExecutionLoop, LoopController, RunContext, StopPolicy
from spec.order_state import (
    INITIAL_STATE,
    TERMINAL_STATES,
    TRANSITIONS,
    OrderEvent,
    OrderState,
)
from spec.records import (
    Fault,
    FaultSite,
    OrderRecord,
    OrderView,
    RunReport,
    StopKind,
    StopReason,
)
from spec.outcomes import Outcome
from spec.resting import (
    STANDARD_RESTING,
    RestingBinding,
    RestingBook,
    RestingEvent,
    RestingLifecycle,
    RestingOrder,
    RestingState,
    VenueEvent,
    advance,
    declare_resting_lifecycle,
    open_resting_order,
    resting_breaches,
)
from spec.risk import RiskGate
from spec.route import ExecutionRoute
from spec.state_machine import (
    PHASE4,
    ResponseEvents,
    StateMachine,
    StateModel,
    phase4_events,
    transition,
)
from spec.values import ExecutionIntent, ExecutionResponse, Side

__all__ = [
    "BINDING_ATTRIBUTE",
    "CLAUSES",
    "INITIAL_STATE",
    "PHASE4",
    "STANDARD_RESTING",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "Clause",
    "ExecutionIntent",
    "ExecutionLoop",
    "ExecutionResponse",
    "ExecutionRoute",
    "ExtensionError",
    "Fault",
    "FaultSite",
    "Implementation",
    "InvalidIntent",
    "InvalidResponse",
    "InvalidTransition",
    "LoopController",
    "LoopReentered",
    "OrderEvent",
    "OrderRecord",
    "OrderState",
    "OrderView",
    "Outcome",
    "ResponseEvents",
    "RestingBinding",
    "RestingBook",
    "RestingEvent",
    "RestingLifecycle",
    "RestingOrder",
    "RestingOrderError",
    "RestingState",
    "RiskGate",
    "RunContext",
    "RunReport",
    "Side",
    "SpecError",
    "StateMachine",
    "StateModel",
    "StopKind",
    "StopPolicy",
    "StopReason",
    "VenueEvent",
    "advance",
    "declare_extension",
    "declare_resting_lifecycle",
    "extension_breaches",
    "gate_interface_breaches",
    "implementation_breaches",
    "loop_interface_breaches",
    "open_resting_order",
    "phase4_events",
    "response_path_problem",
    "resting_breaches",
    "termination_breaches",
    "transition",
]
