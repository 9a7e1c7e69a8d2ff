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
;   DiskSpanning  the installer in LiveCaptionsSetup-*-N.bin slices next to the .exe, each
;               under GitHub's 2 GiB limit for a release asset (build.py sets it for cuda);
;               the slices are shipped with the .exe and kept in its folder to install
;   Sign        sign Setup and the uninstaller with the Sign Tool "lcsign", defined on ISCC's
;               command line: /Slcsign=signtool.exe sign ... $f (build.py --sign-certificate)

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
; Per user by default (no administrator rights; {autopf} is then %LOCALAPPDATA%\Programs); the
; first page, or /ALLUSERS on the command line, installs for all users in Program Files instead.
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
UsedUserAreasWarning=no
; Windows 10 1809 or later (what PySide6 6.x and ONNX Runtime support).
MinVersion=10.0.17763
; Updating or uninstalling while the app runs: the app holds this mutex
; (desktop_app/single_instance.py), so Setup asks to close it; the Restart Manager closes it
; (Qt answers WM_QUERYENDSESSION/WM_ENDSESSION like File > Quit) and Setup does not restart it.
AppMutex=LiveCaptionsRunning
CloseApplications=yes
RestartApplications=no
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
; Under 2 GiB (2,147,483,648 bytes), GitHub's limit for a release asset.
DiskSliceSize=2000000000
#endif
#ifdef Sign
SignTool=lcsign
SignedUninstaller=yes
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
; The app starts in Documents (a file dialog's first folder), not in its install folder.
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"
; A console in the app's folder, where `live-captions transcribe FILE` and the other commands run.
; cmd /s /k strips the outer quotes and runs the rest as written, so the quoted path works
; whatever characters the user's folder has (& ( ) @ ^ and spaces).
Name: "{group}\{#AppName} command line"; Filename: "{cmd}"; Parameters: "/s /k """"{app}\{#CliExe}"" --help"""; WorkingDir: "{app}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
// Uninstalling asks before deleting what the user made or downloaded; the answer offered is
// "No", and a silent uninstall keeps everything.
function AskToDelete(const What, Where: String): Boolean;
begin
  Result := (not UninstallSilent) and
    (MsgBox('Also delete ' + What + '?' + #13#10#13#10 + Where, mbConfirmation,
            MB_YESNO or MB_DEFBUTTON2) = IDYES);
end;

// huggingface_hub's home: HF_HOME, else ~\.cache\huggingface.
function HfHome(): String;
begin
  Result := GetEnv('HF_HOME');
  if Result = '' then
    Result := GetEnv('USERPROFILE') + '\.cache\huggingface';
end;

// Where huggingface_hub caches models: HF_HUB_CACHE, else HF_HOME\hub.
function HubCache(): String;
begin
  Result := GetEnv('HF_HUB_CACHE');
  if Result = '' then
    Result := HfHome() + '\hub';
end;

// The models the app downloaded, as engine/hub.py notes them (one folder a line); the bundled
// model is never downloaded, and other programs' models are not listed.
procedure OfferDownloadedModels();
var
  Lines: TArrayOfString;
  Found: String;
  RecordFile: String;
  I: Integer;
begin
  RecordFile := HubCache() + '\live-captions-downloads.txt';
  if not LoadStringsFromFile(RecordFile, Lines) then
    Exit;
  Found := '';
  for I := 0 to GetArrayLength(Lines) - 1 do
    if (Trim(Lines[I]) <> '') and DirExists(Trim(Lines[I])) then
      Found := Found + Trim(Lines[I]) + #13#10;
  if Found = '' then
    DeleteFile(RecordFile)
  else if AskToDelete('the speech models Live Captions downloaded (other programs that use ' +
                      'them would download them again)', Found) then
  begin
    for I := 0 to GetArrayLength(Lines) - 1 do
      if Trim(Lines[I]) <> '' then
        DelTree(Trim(Lines[I]), True, True, True);
    DeleteFile(RecordFile);
  end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Data, Onnx: String;
begin
  if CurUninstallStep <> usPostUninstall then
    Exit;
  // platformdirs' folders of the app, and QSettings' registry key (organisation LiveCaptions).
  Data := ExpandConstant('{localappdata}\live-captions');
  if (RegKeyExists(HKCU, 'Software\LiveCaptions') or DirExists(Data + '\Logs')) and
     AskToDelete('your Live Captions settings and logs', Data + '\Logs') then
  begin
    RegDeleteKeyIncludingSubkeys(HKCU, 'Software\LiveCaptions');
    DelTree(Data + '\Logs', True, True, True);
    DeleteFile(Data + '\instance.lock');
  end;
  if DirExists(Data + '\transcripts') and
     AskToDelete('your saved transcripts (the text of every captioning session)',
                 Data + '\transcripts') then
    DelTree(Data + '\transcripts', True, True, True);
  RemoveDir(Data);  // only when nothing is left in it
  OfferDownloadedModels();
  // engine/onnx_backend.py's exports (made again from the model when needed).
  Onnx := HfHome() + '\live-captions-onnx';
  if DirExists(Onnx) and
     AskToDelete('the models prepared for ONNX Runtime (made again when needed)', Onnx) then
    DelTree(Onnx, True, True, True);
end;
