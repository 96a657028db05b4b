# facetrack scenes and gradual transitions, on the generated clips: a
# dissolve is one cut at its middle, a fade out and in through black one cut
# where the new picture appears; a hard cut stays exact; a pan, a zoom and a
# whip pan are no cut; --no-gradual reports hard cuts only; the CSV format
# does not change.
. "$(dirname "$0")/lib.sh"
clips=${FT_CLIPS_DIR:?}/scenes
[ -f "$clips/dissolve.mp4" ] || skip_test "generated clips not found in $clips"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

"$FACETRACK" scenes --json --progress none -o out "$clips"/*.mp4 >/dev/null 2>err.txt
check "exit 0" test $? -eq 0

# cuts_are STEM EXPECTED: the Python expression EXPECTED holds for CUTS, the
# cuts of out/<STEM>_scenes.json as (frame, type, from, to), 0-based (-1: none).
cuts_are() {
    /usr/bin/python3 - "out/$1_scenes.json" "$2" <<'PY'
import json, sys
cuts = [(c["frame"] - 1, c["type"], c.get("from", 0) - 1, c.get("to", 0) - 1)
        for c in json.load(open(sys.argv[1]))["cuts"]]
if not eval(sys.argv[2]):
    print("  cuts:", cuts)
    sys.exit(1)
PY
}

check "dissolve: one cut, a dissolve, within 3 frames of its middle (62.5)" \
    cuts_are dissolve 'len(cuts) == 1 and cuts[0][1] == "dissolve" and abs(cuts[0][0] - 62.5) <= 3'
check "dissolve: its first and last mixed frames (50..74), within 3" \
    cuts_are dissolve 'abs(cuts[0][2] - 50) <= 3 and abs(cuts[0][3] - 74) <= 3'
check "fade out, black, fade in: one cut, a fade, where the new picture appears (86)" \
    cuts_are fade_black 'len(cuts) == 1 and cuts[0][1] == "fade" and 84 <= cuts[0][0] <= 87'
check "fade: it spans the fade-out and the fade-in (50..109)" \
    cuts_are fade_black 'cuts[0][2] <= 53 and cuts[0][3] >= 106'
check "hard cut: exact, a cut, no span" \
    cuts_are hard_cut 'cuts == [(50, "cut", -1, -1)]'
check "hard cut: the CSV as ever" cmp -s out/hard_cut.csv - <<'CSV'
No,Timecode In,Timecode Out,Frame In,Frame Out
1,00:00:00.000,00:00:01.960,1,50
2,00:00:02.000,00:00:03.960,51,100
CSV
check "dissolve: the CSV's second scene starts at the cut" \
    test "$(sed -n 3p out/dissolve.csv | cut -d, -f4)" -eq \
    "$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cuts"][0]["frame"])' \
        out/dissolve_scenes.json)"
for clip in pan zoom whip_pan; do
    check "$clip: no cut" cuts_are $clip 'cuts == []'
done

"$FACETRACK" scenes --json --no-gradual --progress none -o hard "$clips"/*.mp4 >/dev/null 2>&1
check "--no-gradual: no dissolve or fade" test "$(ls hard/*_scenes.json | wc -l)" -eq 6 -a \
    -z "$(grep -l '"type": "\(dissolve\|fade\)"' hard/*_scenes.json)"
check "--no-gradual: the hard cut as before" cmp -s hard/hard_cut.csv out/hard_cut.csv
finish
