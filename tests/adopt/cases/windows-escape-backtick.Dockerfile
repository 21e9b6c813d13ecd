# escape=`

# Shape: a Windows image (PowerShell-style) that switches the escape character to a backtick
# so that `C:\` paths keep their backslashes; an installer stage on Server Core and a Nano
# Server runtime, with JSON-form COPY of paths holding spaces.
# Covers: 4, 9
ARG WindowsServerRepo=mcr.microsoft.com/windows/servercore
ARG WindowsTag=ltsc2022
ARG InstallerImage=${WindowsServerRepo}:${WindowsTag}

FROM ${InstallerImage} AS installer-env
ARG PS_VERSION=7.4.5
ARG PS_PACKAGE_URL=https://github.com/PowerShell/PowerShell/releases/download/v${PS_VERSION}/PowerShell-${PS_VERSION}-win-x64.zip
SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue';"]
RUN Write-Host "Downloading $env:PS_PACKAGE_URL"; `
    Invoke-WebRequest -Uri $env:PS_PACKAGE_URL -OutFile C:\powershell.zip; `
    Expand-Archive C:\powershell.zip -DestinationPath C:\PowerShell; `
    Remove-Item C:\powershell.zip

FROM mcr.microsoft.com/windows/nanoserver:ltsc2022 AS runtime
ENV ProgramFiles="C:\Program Files" `
    PSModuleAnalysisCachePath="C:\Users\Public\AppData\Local\Microsoft\Windows\PowerShell\docker\ModuleAnalysisCache"
COPY --from=installer-env ["C:\\PowerShell", "C:\\Program Files\\PowerShell"]
USER ContainerAdministrator
RUN setx /M PATH "%ProgramFiles%\PowerShell;%PATH%"
USER ContainerUser
CMD ["pwsh.exe"]
