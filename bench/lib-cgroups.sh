# Sourced by the benchmarks that need many real cgroups (sampling.sh,
# peers.sh, pids-poll-cost.sh).
#   make_cgroups R P N   N empty cgroups c00001.. under R/P: on v2 with
#                        the memory, cpu, pids and io controllers enabled
#                        for them; on v1 in every hierarchy (not systemd's
#                        or the unified one), cpuset's copied from the root
make_cgroups() {
	local r=$1 p=$2 n=$3 h i
	if [ -f "$r/cgroup.controllers" ]; then
		mkdir "$r/$p"
		echo "+memory +cpu +pids +io" > "$r/$p/cgroup.subtree_control"
		for i in $(seq -f %05g 1 "$n"); do mkdir "$r/$p/c$i"; done
		return
	fi
	for h in "$r"/*/; do
		[ -f "${h}cgroup.procs" ] || continue
		case $h in */systemd/|*/unified/) continue ;; esac
		mkdir "$h$p"
		[ -f "$h$p/cpuset.cpus" ] && cat "${h}cpuset.cpus" > "$h$p/cpuset.cpus" &&
		    cat "${h}cpuset.mems" > "$h$p/cpuset.mems"
		for i in $(seq -f %05g 1 "$n"); do mkdir "$h$p/c$i"; done
	done
}
