#!/bin/sh
# corrupt.sh COMPILER MODELS_DIR WORKDIR
#
# Builds two real catalogs with different services, checks that
# `airlock-compile verify` accepts them, then damages copies of the first
# in every way a catalog gets damaged -- flipped bytes (header, directory,
# every section, a spread of body offsets), truncation at many lengths,
# trailing bytes, a section spliced in from the other catalog, headers
# swapped between the two, text-mode line-ending mangling, a newer format
# version -- and checks that verify refuses each one with the right error.
#
# Exit status: 0 all refused, 1 a failure, 77 (skip) when the models are
# missing and AIRLOCK_REQUIRE_SHARED is not 1.
set -u

cc=$1
models=$2
work=$3

if [ ! -d "$models" ]; then
	echo "corrupt.sh: no models at $models"
	[ "${AIRLOCK_REQUIRE_SHARED:-0}" = 1 ] && exit 1
	exit 77
fi
rm -rf "$work"
mkdir -p "$work" || exit 1

fails=0
cases=0

bad() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# u32 FILE OFFSET / u64 FILE OFFSET: little-endian integers (od uses host
# order; the catalog is little-endian and so are the hosts we support).
# Helpers keep to _-prefixed variables: sh has no locals.
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
u64() { od -An -tu8 -j "$2" -N8 "$1" | tr -d ' '; }
size_of() { wc -c <"$1" | tr -d ' '; }

# put FILE OFFSET BYTE: overwrite one byte (decimal value).
put() {
	printf "\\$(printf %03o "$3")" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# flip FILE OFFSET: invert one byte.
flip() {
	_v=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	put "$1" "$2" $((_v ^ 255))
}

# refuse NAME FILE WANT: verify must exit 1 and say WANT on stderr.
refuse() {
	cases=$((cases + 1))
	"$cc" verify "$2" >"$work/out" 2>"$work/err"
	_rc=$?
	if [ $_rc -ne 1 ]; then
		bad "$1: verify exited $_rc (want 1): $(cat "$work/out" "$work/err")"
	elif ! grep -q -- "$3" "$work/err"; then
		bad "$1: want \"$3\", got: $(cat "$work/err")"
	fi
}

build() {
	"$cc" build --models "$models" --services "$1" -o "$2" \
		>"$work/build.log" 2>&1 ||
		{ cat "$work/build.log"; echo "corrupt.sh: build $1 failed"; exit 1; }
}

a=$work/a.alc
b=$work/b.alc
t=$work/t.alc
build s3,sts,dynamodb "$a"
build sqs,sns "$b"

for f in "$a" "$b"; do
	if ! "$cc" verify "$f" >"$work/out" 2>&1; then
		cat "$work/out"
		echo "corrupt.sh: verify refuses the intact catalog $f"
		exit 1
	fi
	grep -q "^$f: ok (" "$work/out" || { cat "$work/out"; exit 1; }
done
"$cc" verify "$a" | grep -q "ok (3 services" || { echo "corrupt.sh: a.alc should have 3 services"; exit 1; }


size=$(size_of "$a")
dir=$(u32 "$a" 48)
nsec=$(u32 "$a" 52)

# ---- flipped bytes --------------------------------------------------------
# The header fields before the checksum each have their own error; from
# offset 48 on, the checksum catches everything.
for spec in 0:"bad magic" 3:"bad magic" 8:"byte order" 14:"version" \
            16:"corrupt" 20:"corrupt" 24:"catalog" 31:"truncated" \
            32:"checksum" 47:"checksum"; do
	off=${spec%%:*}
	cp "$a" "$t"
	flip "$t" "$off"
	refuse "flip header byte $off" "$t" "${spec#*:}"
done
# write_version is exempt: any value >= read_version is a newer writer.

# the directory, and the first, middle and last byte of every section
offs="48 52 56 60 100 120 $dir $((dir + 31)) $((size - 1))"
i=0
while [ $i -lt "$nsec" ]; do
	e=$((dir + 32 * i))
	offs="$offs $e $((e + 8)) $((e + 16)) $((e + 24))"
	so=$(u64 "$a" $((e + 16)))
	ss=$(u64 "$a" $((e + 24)))
	if [ "$ss" -gt 0 ]; then
		offs="$offs $so $((so + ss / 2)) $((so + ss - 1))"
	fi
	i=$((i + 1))
done
# and a deterministic spread over the whole file
x=12345
i=0
while [ $i -lt 40 ]; do
	x=$(((x * 1103515245 + 12345) % 2147483648))
	offs="$offs $((48 + x % (size - 48)))"
	i=$((i + 1))
done
for off in $offs; do
	cp "$a" "$t"
	flip "$t" "$off"
	refuse "flip byte $off" "$t" "checksum mismatch"
done

# ---- truncation and trailing bytes ----------------------------------------
for n in 0 1 7 8 47 48 127 128 129 $dir $((dir + 32 * nsec)) \
         $((size / 3)) $((size / 2)) $((size - 8)) $((size - 1)); do
	head -c "$n" "$a" >"$t"
	refuse "truncated to $n" "$t" "truncated"
done
cp "$a" "$t"
printf 'x' >>"$t"
refuse "trailing byte" "$t" "trailing data"
cp "$a" "$t"
cat "$a" >>"$t"
refuse "catalog twice" "$t" "trailing data"

# ---- a section spliced in from the other catalog --------------------------
bdir=$(u32 "$b" 48)
bnsec=$(u32 "$b" 52)
spliced=0
i=0
while [ $i -lt "$nsec" ]; do
	e=$((dir + 32 * i))
	id=$(u32 "$a" "$e")
	so=$(u64 "$a" $((e + 16)))
	ss=$(u64 "$a" $((e + 24)))
	j=0
	while [ $j -lt "$bnsec" ]; do
		be=$((bdir + 32 * j))
		if [ "$(u32 "$b" "$be")" = "$id" ]; then
			bo=$(u64 "$b" $((be + 16)))
			bs=$(u64 "$b" $((be + 24)))
			n=$ss
			[ "$bs" -lt "$n" ] && n=$bs
			if [ "$n" -gt 0 ]; then
				cp "$a" "$t"
				dd if="$b" of="$t" bs=1 skip="$bo" seek="$so" \
				   count="$n" conv=notrunc status=none
				if ! cmp -s "$a" "$t"; then
					refuse "section $id spliced from b" "$t" \
					       "checksum mismatch"
					spliced=$((spliced + 1))
				fi
			fi
		fi
		j=$((j + 1))
	done
	i=$((i + 1))
done
[ $spliced -ge 5 ] || bad "only $spliced sections could be spliced"
# b's whole directory over a's
cp "$a" "$t"
dd if="$b" of="$t" bs=1 skip="$bdir" seek="$dir" count=$((32 * bnsec)) \
   conv=notrunc status=none
refuse "directory of b" "$t" "checksum mismatch"

# ---- headers swapped between the catalogs ---------------------------------
bsize=$(size_of "$b")
{ head -c 128 "$a"; tail -c $((bsize - 128)) "$b"; } >"$t"
refuse "a's header on b's body" "$t" "catalog"
{ head -c 128 "$b"; tail -c $((size - 128)) "$a"; } >"$t"
refuse "b's header on a's body" "$t" "catalog"
# same sizes, so only the checksum can tell: a's checksum fields into b
cp "$b" "$t"
dd if="$a" of="$t" bs=1 skip=32 seek=32 count=16 conv=notrunc status=none
refuse "a's checksum on b" "$t" "checksum mismatch"

# ---- transfer accidents ---------------------------------------------------
tr -d '\r' <"$a" >"$t"
refuse "CR LF -> LF" "$t" "text-mode mangled"
cp "$a" "$t"
put "$t" 0 9
refuse "7-bit channel" "$t" "7-bit"
cp "$a" "$t"
put "$t" 14 2
put "$t" 12 2
refuse "read_version 2" "$t" "not supported by this reader"
rm -f "$t"
refuse "missing file" "$t" "no such file"

echo "corrupt.sh: $cases corruptions, $fails not refused"
[ $fails -eq 0 ]
