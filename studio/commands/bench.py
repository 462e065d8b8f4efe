"""``studio bench``: the realtime performance suite; see docs/performance.md."""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

from studio.app import DEFAULT_PRESET, bundled_sample

FIXTURE_VIDEO = (Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "liveview"
                 / "stage_singer_640x360_30fps.mp4")

@dataclass(frozen=True, slots=True)
class BenchSize:
    frames: int  # per frame set
    seconds: float  # per pipeline run
    rss_frames: int  # frames analysed while memory is watched
    stills: int  # 24 MP stills checked
    latency_s: float  # per latency phase


FULL = BenchSize(frames=300, seconds=15.0, rss_frames=20000, stills=24, latency_s=12.0)
QUICK = BenchSize(frames=45, seconds=3.0, rss_frames=600, stills=6, latency_s=4.0)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="measure the realtime pipeline (docs/performance.md)",
                       description="Benchmarks: per-frame analysis vs a bare face-mesh baseline, "
                                   "pipeline throughput and drops at 30/60 fps, end-to-end latency "
                                   "to the painted overlay, memory over many frames, stills.")
    p.add_argument("--quick", action="store_true", help="a short run (figures are rougher)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--preset", default=DEFAULT_PRESET, help=f"check preset to run (default {DEFAULT_PRESET})")
    p.add_argument("--video", type=Path, default=FIXTURE_VIDEO,
                   help="a second live-view source (default: the fixtures video, when present)")
    p.add_argument("--skip", action="append", default=[], metavar="PART",
                   choices=["frames", "hd", "pipeline", "latency", "memory", "stills"],
                   help="leave a part out (repeatable)")
    p.set_defaults(func=run)


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}"}


def run(args: argparse.Namespace) -> int:
    from studio.bench import suite
    from studio.bench.frames import SIZES, load_frames, video_to_recording, write_paced_recording
    from studio.cli import UserError

    cfg = QUICK if args.quick else FULL
    sample = bundled_sample()
    if not sample.exists():
        raise UserError(f"the bundled sample recording is missing: {sample}")
    report: dict = {"machine": machine(), "quick": args.quick, "preset": args.preset, "notes": []}
    say = (lambda msg: print(msg, file=sys.stderr, flush=True))
    with suite.temp_workdir() as tmp:
        work = Path(tmp)
        sources = [("sample", sample)]
        if args.video and args.video.exists():
            sources.append(("video", video_to_recording(args.video, work / "video.slv")))
        else:
            report["notes"].append(f"second source skipped: {args.video} not found")
        sets = {}
        for name, path in sources:
            for size in SIZES:
                sets[(name, size)] = load_frames(path, size, cfg.frames, name)
        main_set = sets[("sample", (1024, 680))]

        if "frames" not in args.skip:
            report["per_frame"] = []
            for frames in sets.values():
                say(f"bench: per-frame analysis on {frames.name}")
                report["per_frame"].append(suite.per_frame(frames, args.preset))
        if "hd" not in args.skip:  # the 1080p line (studio/bench/hd.py)
            from studio.bench.hd import SIZE_1080P, run_hd

            say("bench: 1080p analysis vs the bare face mesh (raw frames and JPEGs)")
            report["hd"] = run_hd(load_frames(sample, SIZE_1080P, cfg.frames, "sample"), args.preset)
        if "pipeline" not in args.skip:
            say("bench: pipeline throughput and real-time replay at 30/60 fps")
            report["pipeline"] = suite.pipeline(main_set, args.preset, cfg.seconds, work)
        if "latency" not in args.skip:
            say("bench: end-to-end latency to the painted overlay (Qt offscreen)")
            from studio.bench.latency import measure_latency

            rec = write_paced_recording(work / "latency.slv", main_set, 30.0, len(main_set.jpegs))
            report["latency"] = measure_latency(rec, seconds=cfg.latency_s, preset=args.preset)
        if "memory" not in args.skip:
            say(f"bench: memory over {cfg.rss_frames} frames")
            rec = write_paced_recording(work / "rss.slv", main_set, 30.0, len(main_set.jpegs))
            report["memory"] = suite.memory(rec, cfg.rss_frames, args.preset)
        if "stills" not in args.skip:
            say(f"bench: studio check on {cfg.stills} 24 MP stills")
            folder = work / "stills"
            suite.make_stills(folder, sample_stills(sample), max(cfg.stills, 2 * (os.cpu_count() or 1)))
            report["stills"] = suite.stills(folder, args.preset, 1 if args.quick else suite.STILLS_ROUNDS)
            report["stills"]["in_process"] = suite.stills_in_process(folder, args.preset)
            cores = os.cpu_count() or 1
            report["stills"]["steady"] = {str(j): suite.stills_steady(folder, args.preset, j)
                                          for j in sorted({1, cores})}
    report["summary"] = summarise(report)
    if args.json:
        print(json.dumps(_clean(report)))
    else:
        print(render_table(report))
    return 0


def sample_stills(recording: Path) -> list:
    """The still photos stored in a recording, decoded (the sample carries two)."""
    import cv2
    import numpy as np

    from drivers.recording import RecordingReader

    with RecordingReader(recording) as reader:
        datas = [reader.payload(e) for e in reader.still_entries]
    images = [cv2.imdecode(np.frombuffer(d, np.uint8), cv2.IMREAD_COLOR) for d in datas if d]
    return [im for im in images if im is not None]


def summarise(r: dict) -> dict:
    s: dict = {}
    main = next((p for p in r.get("per_frame", []) if p["frames"] == "sample@1024x680"), None)
    if main:
        s["full_to_baseline_ratio"] = main["ratio"]
        s["full_fps"] = main["full_fps"]
        s["full_median_ms"] = main["full"]["median_ms"]
        s["full_p95_ms"] = main["full"]["p95_ms"]
        s["full_p95_to_median"] = main["p95_to_median"]
        s["baseline_median_ms"] = main["baseline"]["median_ms"]
        if "model_worker" in main:
            s["model_worker_ms_per_frame"] = main["model_worker"]["ms_per_frame"]
    if "hd" in r:
        s["fps_1080p"] = r["hd"]["raw"]["full_fps"]
        s["ratio_1080p"] = r["hd"]["raw"]["ratio"]
        s["fps_1080p_jpeg"] = r["hd"]["jpeg"]["full_fps"]
        s["ratio_1080p_jpeg"] = r["hd"]["jpeg"]["ratio"]
        s["latency_ratio_1080p"] = r["hd"]["raw"]["latency_ratio"]
        s["cores_used_1080p"] = r["hd"]["raw"]["cores_used"]
    if "pipeline" in r:
        s["pipeline_fps"] = r["pipeline"]["fast"]["analysed_fps"]
        s["analysed_fraction_30fps"] = r["pipeline"]["paced_30"]["analysed_fraction"]
        s["analysed_fraction_60fps"] = r["pipeline"]["paced_60"]["analysed_fraction"]
        s["max_lag_frames_60fps"] = r["pipeline"]["paced_60"]["max_lag_frames"]
    if "latency" in r:
        s["e2e_median_ms"] = r["latency"]["full"]["median_ms"]
        s["e2e_p95_ms"] = r["latency"]["full"]["p95_ms"]
        s["overlay_max_age_frames"] = r["latency"]["full"].get("max_shown_age_frames")
    if "memory" in r:
        s["rss_mb"] = r["memory"]["rss_peak_mb"]
        s["rss_growth_mb"] = r["memory"]["rss_growth_mb"]
        s["rss_frames"] = r["memory"]["frames"]
    if "stills" in r:
        steady = r["stills"]["steady"]
        one, most = steady["1"], steady[max(steady, key=int)]
        s["stills_per_s_per_core"] = one["images_per_s"]
        s["stills_cpu_ms_per_image"] = one["cpu_ms_per_image"]
        s["stills_per_s_all_cores"] = most["images_per_s"]
        s["stills_scaling"] = most["images_per_s"] / one["images_per_s"] if one["images_per_s"] else 0.0
        s["check_command_per_s_one_core"] = r["stills"]["one_core"]["images_per_s"]
        s["check_command_per_s_all_cores"] = r["stills"]["all_cores"]["images_per_s"]
    return s


def _clean(value: object) -> object:
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 3)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _ms(d: dict) -> str:
    return f"{d['median_ms']:7.2f} {d['p95_ms']:7.2f}"


def render_table(r: dict) -> str:
    m = r["machine"]
    lines = [f"studio bench ({'quick' if r['quick'] else 'full'}) on {m['cpu']}, {m['cores']} cores, "
             f"Python {m['python']}, preset {r['preset']}", ""]
    if "per_frame" in r:
        lines += ["per-frame analysis (ms; full = latency of a frame, both stages; fps = frames "
                  "analysed a second, first stage one frame ahead; ratio = wall ms a frame / bare mesh)",
                  "                                 baseline: median   p95 |  full: median   p95 "
                  "| ratio |   fps | p95/median | model worker ms/frame", "-" * 122]
        for p in r["per_frame"]:
            worker = p.get("model_worker", {}).get("ms_per_frame")
            lines.append(f"{p['frames']:<32} {_ms(p['baseline']):>24} | {_ms(p['full']):>20} | "
                         f"{p['ratio']:5.2f} | {p['full_fps']:5.0f} | {p['p95_to_median']:10.2f} | "
                         + (f"{worker:.1f}" if worker is not None else "-"))
        main = next((p for p in r["per_frame"] if p["frames"] == "sample@1024x680"), None)
        if main:
            lines += ["", "stages at sample@1024x680 (ms, median / p95; periodic stages only on "
                          "their frames)"]
            for stage, st in main["stages"].items():
                lines.append(f"  {stage:<24} {st['median_ms']:7.2f} {st['p95_ms']:7.2f}  (n={st['n']})")
    if "hd" in r:
        from studio.bench.hd import render_hd

        lines += render_hd(r["hd"])
    if "pipeline" in r:
        p = r["pipeline"]
        lines += ["", f"pipeline on {p['frames']}",
                  f"  flat out: {p['fast']['analysed_fps']:.1f} frames analysed/s"]
        for fps in (30, 60):
            q = p[f"paced_{fps}"]
            lines.append(f"  {fps} fps replay: {100 * q['analysed_fraction']:.1f}% analysed "
                         f"({q['analysed']}/{q['published']}), arrival->analysis "
                         f"median {q['latency']['median_ms']:.1f} ms p95 {q['latency']['p95_ms']:.1f} ms, "
                         f"max lag {q['max_lag_frames']} frames")
    if "latency" in r:
        lat = r["latency"]
        for phase in ("baseline", "full"):
            if phase in lat:
                q = lat[phase]
                extra = (f", analysis age shown max {q.get('max_shown_age_frames')} frames"
                         if phase == "full" else "")
                lines.append(f"  end to end ({phase}): arrival->overlay painted median "
                             f"{q['median_ms']:.1f} ms p95 {q['p95_ms']:.1f} ms{extra}")
    if "memory" in r:
        mem = r["memory"]
        lines += ["", f"memory over {mem['frames']} frames: peak RSS {mem['rss_peak_mb']:.0f} MB, "
                      f"growth after warm-up {mem['rss_growth_mb']:+.1f} MB"]
    if "stills" in r:
        st = r["stills"]
        lines += ["", f"24 MP JPEG stills ({st['images']} images)",
                  f"  `studio check` command, start-up included: --jobs 1 "
                  f"{st['one_core']['images_per_s']:.2f} img/s, --jobs {st['cores']} "
                  f"{st['all_cores']['images_per_s']:.2f} img/s"]
        for jobs, q in st["steady"].items():
            lines.append(f"  steady state, {jobs} warm single-threaded process(es): "
                         f"{q['images_per_s']:.2f} img/s (per image median {q['median_ms']:.0f} ms, "
                         f"p95 {q['p95_ms']:.0f} ms, CPU {q['cpu_ms_per_image']:.0f} ms)")
        if "in_process" in st:
            q = st["in_process"]
            parts = {k: v["median_ms"] for k, v in q.get("stages", {}).items()}
            analysis = parts.get("total", 0.0) - parts.get("decode", 0.0) - parts.get("resize", 0.0)
            lines.append(f"  in this process (OpenCV threads on): median {q['median_ms']:.0f} ms = decode "
                         f"{parts.get('decode', 0.0):.0f} + resize {parts.get('resize', 0.0):.0f} + "
                         f"analysis {analysis:.0f} ms; decoded whole (before): median "
                         f"{q['whole_decode']['median_ms']:.0f} ms "
                         f"({q['speedup_vs_whole_decode']:.2f}× faster)")
    if r.get("notes"):
        lines += [""] + [f"note: {n}" for n in r["notes"]]
    s = r["summary"]
    lines += ["", "summary: " + ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                                          for k, v in s.items())]
    return "\n".join(lines)
