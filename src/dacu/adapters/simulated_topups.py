"""A simulated top-up provider (`TopUps` port): it confirms, holds pending or fails by
configuration, deterministically, and records what it was asked. Once a request
is confirmed, asking again with its id answers the same and credits nothing."""

import threading
from dataclasses import dataclass, field

from dacu.domain.types import Fen
from dacu.services.ports.topups import TopUpAnswer, TopUpState


@dataclass
class SimulatedTopUps:
    """`answers`: the states the provider gives, in turn, to each new ask (the last one
    is repeated); confirmed requests stay confirmed."""

    answers: list[TopUpState] = field(default_factory=lambda: [TopUpState.CONFIRMED])
    asked: list[tuple[str, str, Fen]] = field(default_factory=list)  # (request, phone, fen)
    credited: dict[str, tuple[str, Fen]] = field(default_factory=dict)  # request → phone, fen
    _turn: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, *states: TopUpState) -> None:
        with self._lock:
            self.answers, self._turn = list(states), 0

    def top_up(self, request_id: str, phone: str, amount: Fen) -> TopUpAnswer:
        with self._lock:
            self.asked.append((request_id, phone, amount))
            if request_id in self.credited:
                return TopUpAnswer(TopUpState.CONFIRMED, f"sim-{request_id}")
            state = self.answers[min(self._turn, len(self.answers) - 1)]
            self._turn += 1
            if state is TopUpState.CONFIRMED:
                self.credited[request_id] = (phone, amount)
                return TopUpAnswer(state, f"sim-{request_id}")
            if state is TopUpState.PENDING:
                return TopUpAnswer(state, f"sim-{request_id}")
            return TopUpAnswer(state, "", "provider refused")
