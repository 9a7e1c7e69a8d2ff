# shellcheck shell=bash
# Sourced by scripts/run.sh and scripts/test.sh: the Debian/Ubuntu packages they need, and the
# pip index of the pinned torch.
#
# ensure_debian_packages PACKAGE...
#   Installs those of the named packages that are not installed yet; dpkg-query looks first, so
#   with everything in place nothing is asked and nothing runs. apt-get runs as root, or through
#   `sudo -n` (never a password prompt). Where neither is possible, where apt-get fails (offline,
#   a package this release lacks) or where there is no dpkg (not Debian/Ubuntu), one message
#   names what is missing and the caller goes on. Afterwards NOT_INSTALLED lists what is missing.

_debian_missing() {
    local package
    for package in "$@"; do
        if [ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2> /dev/null)" != installed ]; then
            echo "$package"
        fi
    done
}

ensure_debian_packages() {
    NOT_INSTALLED=()
    if ! command -v dpkg-query > /dev/null 2>&1; then
        NOT_INSTALLED=("$@")
        echo "note: this is not Debian/Ubuntu (no dpkg): install the equivalents of these" \
            "Debian packages yourself: $*" >&2
        return 0
    fi
    local missing
    mapfile -t missing < <(_debian_missing "$@")
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    local as_root=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo > /dev/null 2>&1 && sudo -n true 2> /dev/null; then
            as_root="sudo -n"
        else
            NOT_INSTALLED=("${missing[@]}")
            echo "note: these Debian packages are missing, and installing them needs root or" \
                "sudo without a password: ${missing[*]}" >&2
            echo "      (sudo apt-get install ${missing[*]}); going on without them" >&2
            return 0
        fi
    fi
    echo "== installing Debian packages: ${missing[*]}"
    $as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || true
    # apt-get installs nothing when one name is unknown: ask only for what this release has.
    local package available=()
    for package in "${missing[@]}"; do
        if apt-cache show "$package" > /dev/null 2>&1; then
            available+=("$package")
        fi
    done
    if [ "${#available[@]}" -gt 0 ]; then
        $as_root env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends "${available[@]}" > /dev/null || true
    fi
    mapfile -t NOT_INSTALLED < <(_debian_missing "${missing[@]}")
    if [ "${#NOT_INSTALLED[@]}" -gt 0 ]; then
        echo "note: these Debian packages could not be installed: ${NOT_INSTALLED[*]};" \
            "going on without them" >&2
    fi
}

# ensure_python_venv: Debian's python3 makes virtual environments only with python3-venv.
ensure_python_venv() {
    if ! python3 -c "import ensurepip, venv" 2> /dev/null; then
        ensure_debian_packages python3-venv
    fi
}

# torch_pip_args cpu|auto
#   Sets TORCH_PIP_ARGS, the pip arguments that install the pinned torch. On Linux, PyPI's torch
#   is the multi-GB CUDA build; PyTorch's CPU index has the same version as a CPU build
#   (2.13.0+cpu, which pip prefers to 2.13.0), so the index goes beside PyPI: always with
#   `cpu`, and with `auto` unless an NVIDIA GPU answers nvidia-smi (then PyPI's CUDA build is
#   what the app wants). LC_TORCH_INDEX overrides the index; set it empty for plain PyPI.
#   Where the index cannot be reached, pip says so and takes what PyPI (or a local wheel)
#   offers. Other systems: PyPI's builds already fit (CPU, or Metal on macOS).
torch_pip_args() {
    TORCH_PIP_ARGS=()
    local index="${LC_TORCH_INDEX-https://download.pytorch.org/whl/cpu}"
    if [ "$(uname -s)" != Linux ] || [ -z "$index" ]; then
        return 0
    fi
    if [ "$1" = auto ] && command -v nvidia-smi > /dev/null 2>&1 && nvidia-smi -L > /dev/null 2>&1; then
        return 0
    fi
    TORCH_PIP_ARGS=(--extra-index-url "$index")
}

# install_torch PIP cpu|auto SPEC
#   Installs SPEC (the pinned torch) with PIP: torch alone with TORCH_PIP_ARGS (torch_pip_args
#   cpu|auto), then its dependencies from PyPI. The extra index is asked for torch only, not
#   for each of its dependencies (where the index cannot be reached, each lookup would cost
#   pip's retries).
install_torch() {
    torch_pip_args "$2"
    "$1" install -q --no-deps "${TORCH_PIP_ARGS[@]}" "$3"
    "$1" install -q "$3"
}
