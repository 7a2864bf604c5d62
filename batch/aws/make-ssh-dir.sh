#!/bin/bash
# Make the ssh material the nodes of a multi-node job share: a host key,
# a client key authorised on every node, an sshd_config and an ssh_config,
# all in DIR (the image bakes it in at /etc/hpcprobe/ssh; the tests make a
# fresh one).  Key-only, root only, on a port of its own.
#
# usage: make-ssh-dir.sh DIR [PORT]
set -euo pipefail
dir=${1:?usage: make-ssh-dir.sh DIR [PORT]}
port=${2:-2022}
mkdir -p "$dir"
chmod 700 "$dir"
ssh-keygen -q -t ed25519 -N '' -f "$dir/ssh_host_ed25519_key" <<<y >/dev/null 2>&1 ||
	ssh-keygen -q -t ed25519 -N '' -f "$dir/ssh_host_ed25519_key"
ssh-keygen -q -t ed25519 -N '' -f "$dir/id_ed25519" <<<y >/dev/null 2>&1 ||
	ssh-keygen -q -t ed25519 -N '' -f "$dir/id_ed25519"
cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
cat >"$dir/sshd_config" <<CONF
Port $port
HostKey $dir/ssh_host_ed25519_key
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
AcceptEnv OMPI_* FI_* HPCPROBE* PMIX_*
CONF
cat >"$dir/ssh_config" <<CONF
Host *
	Port $port
	User root
	IdentityFile $dir/id_ed25519
	StrictHostKeyChecking no
	UserKnownHostsFile /dev/null
	LogLevel ERROR
	BatchMode yes
	ConnectTimeout 5
CONF
chmod 600 "$dir"/ssh_host_ed25519_key "$dir"/id_ed25519
