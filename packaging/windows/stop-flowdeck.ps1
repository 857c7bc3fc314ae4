# Stop the Flowdeck app of the user who uninstalls, started from this installation (run by the uninstaller).
# Only flowdeck-gui.exe whose executable is AppDir\flowdeck-gui.exe and that runs in this Windows session is stopped:
# another user's Flowdeck, another installation and any flowdeck.exe (the CLI, a daemon) are left alone.
param([Parameter(Mandatory = $true)][string]$AppDir)

$exe = [System.IO.Path]::GetFullPath((Join-Path $AppDir "flowdeck-gui.exe"))
$session = (Get-Process -Id $PID).SessionId
$mine = Get-Process -Name "flowdeck-gui" -ErrorAction SilentlyContinue |
  Where-Object { $_.SessionId -eq $session -and $_.Path -and ([System.IO.Path]::GetFullPath($_.Path) -ieq $exe) }
foreach ($p in $mine) {
  # First ask it to close (it saves its state and stops its engine), then end it if it is still there after 10 s.
  [void]$p.CloseMainWindow()
  if (-not $p.WaitForExit(10000)) { Stop-Process -Id $p.Id -Force -ErrorAction SilentlyContinue }
}
exit 0
