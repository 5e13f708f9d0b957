// A real (public, self-signed, never trusted by anything) CA certificate for tests of CA fields: they are parsed
// at deploy, so a placeholder between BEGIN/END lines no longer passes.
export const TEST_CA_PEM = [
  "-----BEGIN CERTIFICATE-----",
  "MIIBhDCCASmgAwIBAgIUXsY9q8dREmAmmjDdsexV1a+9Z54wCgYIKoZIzj0EAwIw",
  "FjEUMBIGA1UEAwwLdmNmLXRlc3QtY2EwIBcNMjYxMjA3MjAzNTQ1WhgPMjEyNjEx",
  "MTMyMDM1NDVaMBYxFDASBgNVBAMMC3ZjZi10ZXN0LWNhMFkwEwYHKoZIzj0CAQYI",
  "KoZIzj0DAQcDQgAEr8rxOd9996sVLxcFzTxt24UNehyDHBtZrA67Nfg69qdiMztE",
  "B+1vWFCtnnmz6Age8iF4/Wt2kWOiUDWZ7HhXeqNTMFEwHQYDVR0OBBYEFIs+867q",
  "iNUiWp4NefXz2HWcRar3MB8GA1UdIwQYMBaAFIs+867qiNUiWp4NefXz2HWcRar3",
  "MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhAPmsDRbW48QQ/VR6",
  "YXcareUT99yNjwVuOgRIezJvUaOlAiEAj6kt1Ueja5et8ZY1b4O56pb9RllllC2p",
  "UtXp5vRt0m4=",
  "-----END CERTIFICATE-----",
].join("\n");
