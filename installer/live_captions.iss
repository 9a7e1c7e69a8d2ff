; Inno Setup script for Live Captions: LiveCaptionsSetup-<version>[-cuda].exe, a per-user
; installer (no administrator rights) of the PyInstaller folder dist\LiveCaptions.
;
; Usually run by installer/build.py. By hand, after the PyInstaller build:
;   ISCC /DAppVersion=0.1.0 [/DFlavour=cuda] [/DModelDir=C:\models\base-960h] installer\live_captions.iss
; Defines:
;   AppVersion  the version (required; build.py passes engine.__version__)
;   Flavour     cpu (default) or cuda: only the installer's file name differs
;   SourceDir   the PyInstaller folder (default: ..\dist\LiveCaptions)
;   OutputDir   where the installer goes (default: ..\dist)
;   ModelDir    a model folder to install as {app}\models\default, where the app looks first
;               (build.py --model copies the model into SourceDir instead)
;   DiskSpanning  split into Setup-*.bin slices: needed above 4.2 GB compressed

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=x.y.z live_captions.iss
#endif
#ifndef Flavour
  #define Flavour "cpu"
#endif
#ifndef SourceDir
  #define SourceDir AddBackslash(SourcePath) + "..\dist\LiveCaptions"
#endif
#ifndef OutputDir
  #define OutputDir AddBackslash(SourcePath) + "..\dist"
#endif
#if Flavour == "cuda"
  #define SetupSuffix "-cuda"
#else
  #define SetupSuffix ""
#endif

#define AppName "Live Captions"
#define AppExe "LiveCaptions.exe"
#define CliExe "live-captions.exe"

[Setup]
; One AppId for both flavours: installing one replaces the other.
AppId={{33567FE3-01A0-4A6A-872A-9499CC0D0455}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Live Captions
DefaultDirName={localappdata}\Programs\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
OutputDir={#OutputDir}
OutputBaseFilename=LiveCaptionsSetup-{#AppVersion}{#SetupSuffix}
Compression=lzma2/max
SolidCompression=yes
LZMAUseSeparateProcess=yes
LZMANumBlockThreads=4
WizardStyle=modern
#ifdef DiskSpanning
DiskSpanning=yes
DiskSliceSize=max
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An update replaces the bundled libraries as a whole, so none of an older version's stay behind.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
#ifdef ModelDir
Source: "{#ModelDir}\*"; DestDir: "{app}\models\default"; Flags: ignoreversion recursesubdirs createallsubdirs
#endif

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
; A console in the app's folder, where `live-captions transcribe FILE` and the other commands run.
Name: "{group}\{#AppName} command line"; Filename: "{cmd}"; Parameters: "/k ""{app}\{#CliExe}"" --help"; WorkingDir: "{app}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
