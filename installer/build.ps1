<#
.SYNOPSIS
  Build Live Captions for Windows from a clean checkout: a virtual environment with the right
  PyTorch wheel, then installer/build.py (PyInstaller folder, self-test, Inno Setup installer).

.EXAMPLE
  powershell -ExecutionPolicy Bypass -File installer\build.ps1 -Flavour cpu
  powershell -ExecutionPolicy Bypass -File installer\build.ps1 -Flavour cuda -Model facebook/wav2vec2-base-960h
#>
param(
    [ValidateSet("cpu", "cuda")] [string] $Flavour = "cpu",
    # A model folder or cached hub id to ship as models\default (the demo model is always inside).
    [string] $Model = "",
    [switch] $SkipInstaller,
    [switch] $SkipSelfTest,
    # The newest versions pyproject.toml allows instead of the lock (requirements\build.txt): the
    # newest-versions CI job, so that a new release breaks a job, not a user's installer.
    [switch] $Newest,
    # Python 3.10+ that makes the build environment.
    [string] $Python = "python",
    # The same PyTorch for both flavours: the pin of scripts/run.sh, from the CPU index or, for
    # the CUDA flavour, from a CUDA index that has it. torch 2.13 is built for CUDA 12.6 and 13.0
    # (pytorch's RELEASE.md); CUDA 13.0 has kernels for Turing (GTX 16, RTX 20) up to Blackwell
    # (RTX 50) and needs an NVIDIA driver of the 580 series or newer. CUDA 12.6 would also run
    # Pascal cards (GTX 10), but not the RTX 50 series.
    [string] $Torch = "torch==2.13.0",
    [string] $CudaIndex = "cu130",
    [string] $Venv = "",
    # Code signing (optional): a .pfx certificate; its password in the environment variable
    # LC_SIGN_PASSWORD. SignTool (Windows SDK) then signs both executables and the installer.
    [string] $SignCertificate = $env:LC_SIGN_CERTIFICATE
)
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root
if (-not $Venv) { $Venv = Join-Path $Root ".venv-build-$Flavour" }

# Run a program; stop the build when it fails (native programs do not throw by themselves).
function Invoke-Checked {
    $Exe, $Rest = $args
    & $Exe @Rest
    if ($LASTEXITCODE -ne 0) { throw "failed ($LASTEXITCODE): $Exe $($Rest -join ' ')" }
}

if (-not (Test-Path (Join-Path $Venv "Scripts\python.exe"))) {
    Invoke-Checked $Python -m venv $Venv
}
$Py = Join-Path $Venv "Scripts\python.exe"
Invoke-Checked $Py -m pip install --upgrade pip

# torch in the build of the flavour (with the CUDA libraries it pins); then the locked versions
# of the app's other dependencies and PyInstaller (scripts/lock.sh), checked against their
# hashes, and the project without dependencies.
$TorchIndex = if ($Flavour -eq "cuda") { $CudaIndex } else { "cpu" }
Invoke-Checked $Py -m pip install $Torch --index-url "https://download.pytorch.org/whl/$TorchIndex"
if ($Newest) {
    Invoke-Checked $Py -m pip install ".[all,packaging]"
} else {
    Invoke-Checked $Py -m pip install --require-hashes -r requirements\build.txt
    Invoke-Checked $Py -m pip install --no-deps .
}
Invoke-Checked $Py -m pip check

$BuildArgs = @("installer\build.py", "--flavour", $Flavour)
if ($Model) { $BuildArgs += @("--model", $Model) }
if ($SkipInstaller) { $BuildArgs += "--skip-installer" }
if ($SkipSelfTest) { $BuildArgs += "--skip-self-test" }
if ($SignCertificate) { $BuildArgs += @("--sign-certificate", $SignCertificate) }
if ($Newest) { $BuildArgs += "--unlocked" }
Invoke-Checked $Py @BuildArgs
