#!/usr/bin/env python3
"""Makes the synthetic shot-transition sweep: short clips of known truth,
written into OUTDIR with OUTDIR/truth.json (generated at run time, never
kept in the repository).

- every transition ffmpeg's xfade filter offers (fades, dissolves, wipes,
  slides, irises, slices, squeezes, zooms...), between two moving shots,
  over 0.4 s, 1 s and 1.6 s;
- hard cuts between the same shots;
- flashes that are no cut: 1 to 3 frames much brighter or darker (white or
  black, opaque or not, lit by eq), a decaying flash, a flash on half of the
  frame, strobes; and flashes a few frames from a real cut;
- camera moves that are no cut: fast pans, zooms, a whip pan, shake, an
  exposure ramp, motion sped up four times.

Sources are ffmpeg's own test sources (testsrc2, mandelbrot, gradients,
colour bars panned) and, when SHARED/media is there, 4-second pieces of its
clips; each is first made a 320x180 25 fps intermediate. --small makes a
bounded set of a few seconds' work from the test sources alone.

Usage: make_scene_sweep.py [--small] [--shared DIR] OUTDIR
truth.json: [{"clip": NAME, "kind": "transition"|"cut"|"flash"|"motion",
  "type": ..., "family": ..., "events": [{"type", "frame", "from", "to"}]}],
frames 0-based; "frame" is where the new shot starts (a transition's
middle), "from".."to" the mixed frames.
"""
import argparse
import json
import os
import subprocess
import sys

W, H, FPS = 320, 180, 25

# xfade's transitions (ffmpeg 5.1), by family.
FAMILIES = {
    "mix": ["fade", "fadefast", "fadeslow", "dissolve", "distance", "fadegrays", "hblur", "pixelize"],
    "through colour": ["fadeblack", "fadewhite", "circlecrop", "rectcrop"],
    "wipe": ["wipeleft", "wiperight", "wipeup", "wipedown", "wipetl", "wipetr", "wipebl", "wipebr",
             "diagtl", "diagtr", "diagbl", "diagbr", "smoothleft", "smoothright", "smoothup",
             "smoothdown", "radial", "hlslice", "hrslice", "vuslice", "vdslice"],
    "iris": ["circleopen", "circleclose", "vertopen", "vertclose", "horzopen", "horzclose"],
    "slide": ["slideleft", "slideright", "slideup", "slidedown"],
    "squeeze/zoom": ["squeezeh", "squeezev", "zoomin"],
}
FAMILY_OF = {t: f for f, ts in FAMILIES.items() for t in ts}

LAVFI = [
    ("testsrc2", f"testsrc2=s={W}x{H}:r={FPS}"),
    ("mandelbrot", f"mandelbrot=s={W}x{H}:r={FPS}:start_scale=2"),
    ("gradients", f"gradients=s={W}x{H}:r={FPS}:speed=0.05:seed=7:nb_colors=4:"
                  "c0=0x2040a0:c1=0xe0c040:c2=0x30a050:c3=0xc03060"),  # its random colours vary
    ("bars_pan", f"smptehdbars=s=960x540:r={FPS},crop={W}:{H}:x='t*90':y='180+90*sin(t)'"),
    ("testsrc2_pan", f"testsrc2=s=960x540:r={FPS},crop={W}:{H}:x='40+t*70':y='120+40*sin(2*t)'"),
]
# (file under SHARED/media, start in seconds)
SHARED = [
    ("faces/liveportrait_driving_d6.mp4", 5.0),
    ("faces/liveportrait_driving_d13.mp4", 2.0),
    ("faces/facenet_pytorch_examples_video.mp4", 0.0),
    ("bench/bench_1080p25_3faces_20s.mp4", 3.0),
    ("faces/videoretalking_face_1.mp4", 0.5),
    ("scenes/pyscenedetect_testvideo.mp4", 1.1),  # its first shot, frames 30..179
    ("faces/fom_demo_old_08.mp4", 0.0),
    ("faces/liveportrait_source_s13.mp4", 0.0),
]
NORMALISE = (f"fps={FPS},scale={W}:{H}:force_original_aspect_ratio=increase,crop={W}:{H},"
             "setsar=1,format=yuv420p")


def ff(*args):
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args],
                   check=True)


def encode(path):
    return ["-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-threads", "1",
            "-pix_fmt", "yuv420p", path]


def make_sources(out, shared, small):
    os.makedirs(os.path.join(out, "sources"), exist_ok=True)
    sources = []
    for name, graph in ([LAVFI[0], LAVFI[1], LAVFI[3]] if small else LAVFI):
        path = os.path.join(out, "sources", name + ".mp4")
        ff("-f", "lavfi", "-i", graph, "-t", "4", "-vf", NORMALISE, *encode(path))
        sources.append(path)
    if shared and not small:
        for rel, start in SHARED:
            src = os.path.join(shared, "media", rel)
            if not os.path.exists(src):
                continue
            path = os.path.join(out, "sources", os.path.basename(rel)[:-4] + ".mp4")
            ff("-ss", str(start), "-i", src, "-t", "4", "-an", "-vf", NORMALISE, *encode(path))
            sources.append(path)
    return sources


def two(a, b, graph, path):
    ff("-i", a, "-i", b, "-filter_complex", graph, *encode(path))


def transition(out, name, kind, a, b, seconds):
    """A for 2 s, then KIND over SECONDS, then B for 2 s."""
    off = 2.0
    # ffmpeg 5.1's slideup reads outside the picture on its first frame (a
    # row differs from run to run): the same slide is slidedown upside down.
    flip, fade = (",vflip", "slidedown") if kind == "slideup" else ("", kind)
    graph = (f"[0]trim=duration={off + seconds},setpts=PTS-STARTPTS{flip}[a];"
             f"[1]trim=duration={seconds + 2},setpts=PTS-STARTPTS{flip}[b];"
             f"[a][b]xfade=transition={fade}:duration={seconds}:offset={off}{flip},"
             "format=yuv420p")
    two(a, b, graph, os.path.join(out, name + ".mp4"))
    first = round(off * FPS)
    last = first + round(seconds * FPS) - 1
    return [{"type": kind, "frame": (first + last + 1) // 2, "from": first, "to": last}]


def hard_cut(out, name, a, b, flash=None):
    """A for 2 s, B for 2 s; FLASH (a drawbox filter) over the result."""
    graph = ("[0]trim=duration=2,setpts=PTS-STARTPTS[a];[1]trim=duration=2,setpts=PTS-STARTPTS[b];"
             "[a][b]concat=n=2:v=1" + ("," + flash if flash else "") + ",format=yuv420p")
    two(a, b, graph, os.path.join(out, name + ".mp4"))
    return [{"type": "cut", "frame": 50, "from": 50, "to": 50}]


def one(out, name, src, filters):
    ff("-i", src, "-vf", filters + ",format=yuv420p", *encode(os.path.join(out, name + ".mp4")))
    return []


def box(colour, alpha, first, last, area="w=iw:h=ih"):
    return (f"drawbox=x=0:y=0:{area}:color={colour}@{alpha}:t=fill:"
            f"enable='between(n,{first},{last})'")


def flashes(small):
    """(name, filters, [[first, last] frames of each flash])."""
    out = []
    for colour in ("white", "black"):
        for alpha in ((1.0,) if small else (0.6, 1.0)):
            for length in ((1, 3) if small else (1, 2, 3)):
                out.append((f"flash_{colour}{int(alpha * 100)}_{length}f",
                            box(colour, alpha, 50, 50 + length - 1) + "," +
                            box(colour, alpha, 80, 80 + length - 1),
                            [[50, 50 + length - 1], [80, 80 + length - 1]]))
    if small:
        return out
    for length in (1, 2, 3):
        out.append((f"flash_lit_{length}f",
                    f"eq=brightness=0.45:contrast=1.3:enable='between(n,50,{50 + length - 1})'",
                    [[50, 50 + length - 1]]))
    out.append(("flash_decay", ",".join([box("white", 1.0, 50, 50), box("white", 0.6, 51, 51),
                                          box("white", 0.3, 52, 52)]), [[50, 52]]))
    out.append(("flash_half", box("white", 1.0, 50, 51, "w=iw:h=ih/2"), [[50, 51]]))
    out.append(("strobe_white", f"drawbox=x=0:y=0:w=iw:h=ih:color=white@1:t=fill:"
                                f"enable='between(n,40,80)*not(mod(n-40,4))'", [[40, 80]]))
    out.append(("strobe_black", f"drawbox=x=0:y=0:w=iw:h=ih:color=black@1:t=fill:"
                                f"enable='between(n,40,80)*not(mod(n-40,3))'", [[40, 80]]))
    return out


def moves(small):
    """(name, filters) of camera moves over one source: none is a cut."""
    big = "scale=960:540"
    out = [
        ("pan_fast", f"{big},crop={W}:{H}:x='min(640,n*8)':y=180"),
        ("zoom_fast", f"zoompan=z='min(1+0.04*in,4)':d=1:x='iw/2-(iw/zoom/2)':"
                      f"y='ih/2-(ih/zoom/2)':s={W}x{H}:fps={FPS}"),
        ("whip_pan", f"{big},crop={W}:{H}:x='if(lt(n,40),0,if(lt(n,55),(n-40)*40,600))':y=180"),
    ]
    if small:
        return out
    out += [
        ("pan_vertical", f"{big},crop={W}:{H}:x=320:y='min(360,n*5)'"),
        ("zoom_out", f"zoompan=z='max(4-0.05*in,1)':d=1:x='iw/2-(iw/zoom/2)':"
                     f"y='ih/2-(ih/zoom/2)':s={W}x{H}:fps={FPS}"),
        ("shake", f"{big},crop={W}:{H}:x='300+60*sin(n*1.7)':y='170+40*sin(n*2.3)'"),
        ("exposure_ramp", "eq=brightness='if(lt(n,40),0,if(lt(n,65),(n-40)*0.02,0.5))':eval=frame"),
        ("fast_motion", "setpts=PTS/3,fps=25"),
    ]
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--small", action="store_true", help="a few seconds' work, no shared media")
    p.add_argument("--shared", help="the shared folder (its media/), for real sources")
    p.add_argument("out")
    args = p.parse_args()
    out = args.out
    os.makedirs(out, exist_ok=True)
    sources = make_sources(out, args.shared, args.small)
    n = len(sources)
    truth = []

    def add(name, kind, type_, family, events, flashes=(), shots=()):
        truth.append({"clip": name, "kind": kind, "type": type_, "family": family, "events": events,
                      "flashes": list(flashes),
                      "sources": [os.path.basename(p)[:-4] for p in shots]})

    # The small set: testsrc2 (moving parts) and the panned bars, both ways;
    # mandelbrot (a fast zoom) in the dissolve, the cuts and the flashes.
    small = [("dissolve", 1.0, 0, 2), ("wipeleft", 1.0, 0, 1), ("circleopen", 0.6, 1, 0),
             ("radial", 0.6, 0, 1), ("slideleft", 0.6, 1, 0)]
    kinds = small if args.small else [(t, s, None, None) for t in FAMILY_OF for s in (0.4, 1.0, 1.6)]
    for i, (kind, seconds, ai, bi) in enumerate(kinds):
        a, b = sources[i % n], sources[(i + 1 + i // n) % n]
        if ai is not None:
            a, b = sources[ai], sources[bi]
        name = f"{kind}_{int(seconds * 1000)}ms_{i}"
        add(name, "transition", kind, FAMILY_OF[kind], transition(out, name, kind, a, b, seconds),
            shots=(a, b))
    for i in range(2 if args.small else n):
        name = f"cut_{i}"
        add(name, "cut", "cut", "cut", hard_cut(out, name, sources[i], sources[(i + 1) % n]),
            shots=(sources[i], sources[(i + 1) % n]))
    if not args.small:  # flashes near a real cut at 50
        for first in (40, 56):
            name = f"cut_flash_at_{first}"
            add(name, "cut", "cut near a flash", "cut",
                hard_cut(out, name, sources[first % n], sources[(first + 3) % n],
                         box("white", 1.0, first, first + 1)), [[first, first + 1]],
                (sources[first % n], sources[(first + 3) % n]))
    for i, (name, filters, spans) in enumerate(flashes(args.small)):
        add(name, "flash", name.rsplit("_", 1)[0] if name[-1] == "f" else name, "flash",
            one(out, name, sources[i % n], filters), spans, [sources[i % n]])
    for i, (name, filters) in enumerate(moves(args.small)):
        add(name, "motion", name, "motion", one(out, name, sources[(i + 1) % n], filters),
            shots=[sources[(i + 1) % n]])
    with open(os.path.join(out, "truth.json"), "w") as f:
        json.dump(truth, f, indent=1)
    print(f"{len(truth)} clips from {n} sources in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
