#!/usr/bin/env python3
"""Measure how long one ticket takes from its data to the printer: render it (Pillow,
1-bit), turn it into ESC/POS raster bytes and a cut, and send it over TCP to the fake
network printer on 127.0.0.1 (status query DLE EOT 1 and 4 first, as the spooler does).

    .venv/bin/python -m qhall.tools.bench_printer [--tickets 300] [--width 576]

Prints p50, p90 and p99 of each step and of the whole, in milliseconds, and the machine's
load average (the tail is other programs' CPU as much as ours).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import datetime

from printer.config import PrinterConfig  # noqa: E402
from printer.fake import FakePrinter  # noqa: E402
from printer.layout import TicketContent, render_ticket  # noqa: E402
from printer.transport import page_bytes, send  # noqa: E402


def ticket(i: int) -> TicketContent:
    return TicketContent(
        unit_name="市民政局政务服务大厅",
        unit_name_en="Civil Affairs Bureau Service Hall",
        service_name="社会救助（低保、特困）",
        service_name_en="Social assistance (subsistence allowance)",
        number=f"B{i % 1000:03d}",
        ahead=i % 40,
        estimated_wait_s=60 * (i % 40),
        issued_local=datetime(2026, 11, 26, 10, 0),
        qr_url=f"http://192.168.1.10:8000/t/{i:022d}",
        time_limit_days=20,
        civility=("文明服务 群众满意", "Courteous service, satisfied public"),
        priority=("老年人", "Elderly") if i % 5 == 0 else None,
    )


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100)
    return f"p50 {cuts[49]:7.2f}  p90 {cuts[89]:7.2f}  p99 {cuts[98]:7.2f}  max {max(samples):7.2f}"


def measure(tickets: int, width: int) -> tuple[dict[str, list[float]], int]:
    """Return each step's times in ms for `tickets` tickets, and the bytes of one page."""
    fake = FakePrinter().start()
    printer = PrinterConfig(name="bench", unit="B", width=width, **fake.config)
    steps: dict[str, list[float]] = {"render": [], "escpos": [], "send": [], "total": []}
    render_ticket(ticket(0), width)  # load the fonts once, as a running server has
    for i in range(tickets):
        t0 = time.perf_counter()
        image = render_ticket(ticket(i), width)
        t1 = time.perf_counter()
        data = page_bytes(image, printer)
        t2 = time.perf_counter()
        send(printer, data)
        t3 = time.perf_counter()
        for name, ms in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t3 - t0), strict=True):
            steps[name].append(ms * 1000)
    fake.wait_for_pages(tickets)
    fake.stop()
    return steps, len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--width", type=int, default=576, choices=(384, 576))
    args = parser.parse_args()
    steps, size = measure(args.tickets, args.width)
    print(f"{args.tickets} tickets, {args.width} dots wide, {size} bytes each (ms):")
    for name, samples in steps.items():
        print(f"  {name:<7} {percentiles(samples)}")
    # The tail waits on the CPU: other work on the machine shows in p99 first.
    print("  load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
