"""The event stream's words on the dashboard (数据延迟), Chinese first; part of `LABELS`."""

EVENT_LABELS: dict[str, tuple[str, str]] = {
    "events_lag": ("数据延迟", "Event lag"),
    "events_lag_batches": ("待汇总批次", "Batches to fold"),
    "events_lag_events": ("待汇总事件", "Events to fold"),
    "events_lag_pending": ("处理中", "Being folded"),
    "events_lag_oldest": ("最久等待", "Oldest waiting"),
    "events_lag_outbox": ("待投递事实", "Facts to deliver"),
    "events_lag_direct": ("实时写入（无事件流）", "Recorded at once (no event stream)"),
    "seconds": ("秒", "s"),
}
