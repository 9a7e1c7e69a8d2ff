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
    # Python 3.10+ that makes the build environment.
    [string] $Python = "python",
    # The PyTorch wheel: the CPU pin of scripts/run.sh; for CUDA the newest on the CUDA index.
    [string] $TorchCpu = "torch==2.13.0",
    [string] $TorchCuda = "torch",
    [string] $CudaIndex = "cu124",
    [string] $Venv = ""
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

if ($Flavour -eq "cuda") {
    Invoke-Checked $Py -m pip install $TorchCuda --index-url "https://download.pytorch.org/whl/$CudaIndex"
} else {
    Invoke-Checked $Py -m pip install $TorchCpu --index-url "https://download.pytorch.org/whl/cpu"
}
# The project and its other dependencies; torch above already satisfies its requirement.
Invoke-Checked $Py -m pip install . "pyinstaller>=6"

$BuildArgs = @("installer\build.py", "--flavour", $Flavour)
if ($Model) { $BuildArgs += @("--model", $Model) }
if ($SkipInstaller) { $BuildArgs += "--skip-installer" }
if ($SkipSelfTest) { $BuildArgs += "--skip-self-test" }
Invoke-Checked $Py @BuildArgs
