; Inno Setup script for Flowdeck on Windows (Inno Setup 6). Build the bundle on Windows first:
;   python packaging\build.py   (renders the icons and runs PyInstaller; see docs/packaging.md)
; then:  iscc packaging\windows\flowdeck.iss   -> dist\Flowdeck-Setup-<version>.exe
#define AppName "Flowdeck"
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
; flowdeck-gui.exe is the windowed twin of flowdeck.exe (the console CLI); the spec builds both on Windows.
#define AppExe "flowdeck-gui.exe"

[Setup]
AppId={{6F1C2B0E-5D7A-4C2E-9B1F-F10DECF10DEC}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Flowdeck developers
; Per user, no administrator: {autopf} is the user's own Programs folder, and start-at-login lands in that user's
; HKCU Run key (an all-users install run by an administrator would write the administrator's key instead).
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
OutputDir=..\..\dist
OutputBaseFilename=Flowdeck-Setup-{#AppVersion}
SetupIconFile=flowdeck.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Closing a running Flowdeck (it lives in the tray) before files are replaced or removed.
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "startatlogin"; Description: "Start Flowdeck in the tray when I log in"; GroupDescription: "Start-up:"; Flags: unchecked

[Files]
; The PyInstaller one-folder bundle (dist\flowdeck\ built on Windows).
Source: "..\..\dist\flowdeck\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "stop-flowdeck.ps1"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; AppUserModelID: "io.github.flowdeck.Flowdeck"
Name: "{group}\Uninstall {#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; The same Run value the app's own "start at login" switch writes (gui/shell/autostart.py), so either can undo it.
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "Flowdeck"; \
  ValueData: """{app}\{#AppExe}"" --autostart"; Tasks: startatlogin; Flags: uninsdeletevalue

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallRun]
; Stops only this user's app started from this folder: not another user's Flowdeck, not a flowdeck.exe CLI or daemon.
Filename: "powershell.exe"; \
  Parameters: "-NoProfile -ExecutionPolicy Bypass -File ""{app}\stop-flowdeck.ps1"" -AppDir ""{app}"""; \
  Flags: runhidden waituntilterminated; RunOnceId: "StopFlowdeck"

[UninstallDelete]
Type: filesandordirs; Name: "{app}"
