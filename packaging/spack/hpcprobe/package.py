# Spack recipe for hpcprobe, written from its configure options.  Not
# tested by the project (no Spack on its test machines): see README.md,
# "Installing".  Copy this folder into a Spack repository
# (spack repo create; cp -r hpcprobe <repo>/packages/).

from spack.package import *


class Hpcprobe(AutotoolsPackage):
    """MPI, libfabric (EFA) and training probes of an HPC cluster in one
    job: compute load balance, ping-pong and all-reduce latency
    distributions, fabric latency and bandwidth, written as one JSON
    results document; hpcprobe-report renders and gates it."""

    # Point these at where your site keeps the release tarball
    # ("make dist") or the repository; then "spack checksum hpcprobe".
    homepage = "https://example.org/hpcprobe"
    url = "https://example.org/hpcprobe/hpcprobe-0.1.0.tar.gz"

    version("0.1.0")

    variant("papi", default=True,
            description="hardware counters (IPC, FLOP/s) through PAPI")
    variant("blas", default=True,
            description="OpenBLAS for the dgemm kernel and the train phase")
    variant("efa", default=False,
            description="libfabric built with the EFA provider (AWS)")

    depends_on("c", type="build")
    depends_on("pkgconfig", type="build")
    depends_on("help2man", type="build")
    depends_on("mpi")
    depends_on("libfabric")
    depends_on("libfabric fabrics=efa", when="+efa")
    depends_on("hwloc")
    depends_on("cjson")
    depends_on("zlib-api")
    depends_on("papi", when="+papi")
    depends_on("openblas", when="+blas")

    def setup_build_environment(self, env):
        # hpcprobe is an MPI program: configure takes CC=mpicc.
        env.set("CC", self.spec["mpi"].mpicc)

    def configure_args(self):
        args = ["--with-libfabric=" + self.spec["libfabric"].prefix]
        # --with-papi=yes / --with-blas=yes: configure fails rather than
        # build without what the variant asked for.
        args.append("--with-papi=" + ("yes" if "+papi" in self.spec else "no"))
        args.append("--with-blas=" + ("yes" if "+blas" in self.spec else "no"))
        return args
