# entrypoint: the target's ENTRYPOINT+CMD as its engine says it starts, written into the debugger's
# own filesystem by the entry script: one file per argument in ../args (no value is ever parsed as
# shell), or ../unknown when the engine does not say.
data=${0%/bin/entrypoint}
usage() { echo "usage: entrypoint --print | --run" >&2; exit 2; }
[ "$#" -eq 1 ] || usage
case "$1" in --print | --run) ;; *) usage ;; esac
if [ -e "$data/unknown" ]; then
  echo "entrypoint: the engine does not say how the target starts (on Kubernetes: the pod spec sets no command, and the API does not serve the image's ENTRYPOINT/CMD); the running process's command line is in /proc/1/cmdline" >&2
  exit 1
fi
mode=$1
set --
i=0
while [ -e "$data/args/$i" ]; do
  a=$(cat "$data/args/$i"; printf x)
  set -- "$@" "${a%x}"
  i=$((i + 1))
done
[ "$#" -gt 0 ] || { echo "entrypoint: the target has no ENTRYPOINT or CMD" >&2; exit 1; }
if [ "$mode" = --run ]; then exec "$@"; fi
# one line a shell reads back as the same words
line=
for a in "$@"; do
  case "$a" in
    '' | *[!A-Za-z0-9_./:=@%+,-]*) a=$(printf '%sx' "$a" | sed "s/'/'\\\\''/g"); a="'${a%x}'" ;;
  esac
  line="$line${line:+ }$a"
done
printf '%s\n' "$line"
