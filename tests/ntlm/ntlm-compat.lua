-- Apache mod_lua hook for the NTLM test proxy (tests/ntlm/start-ntlm-proxy.sh).
--
-- libcurl (7.88, Debian 12) sends NTLM NEGOTIATE and AUTHENTICATE messages without the 8-byte
-- Version field (MS-NLMP 2.2.2.10: it is only meaningful with NTLMSSP_NEGOTIATE_VERSION, and
-- Windows/IIS accepts messages without it). gss-ntlmssp 1.2.0, which does the NTLM check behind
-- mod_auth_gssapi, rejects such messages with "Invalid token was supplied (Failed to decode
-- data)". This hook inserts an all-zero Version field and moves the payload offsets by 8, nothing
-- else: the challenge, the responses and the names are untouched, so the password check is
-- still gss-ntlmssp's own. Any other Authorization header passes through unchanged.

local VERSION_LEN = 8

-- Base64 both ways, here because mod_lua's r:base64_decode drops a trailing zero byte (it takes
-- the result for a C string), and NTLM messages often end in one.
local ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local DIGIT = {}
for i = 1, 64 do DIGIT[ALPHABET:byte(i)] = i - 1 end

-- The bytes text encodes, or nil when it is not canonical padded base64.
local function base64_decode(text)
  if #text % 4 ~= 0 or text:find("[^%w+/=]") or text:find("=[^=]") then return nil end
  local out = {}
  for at = 1, #text, 4 do
    local a, b, c, d = text:byte(at, at + 3)
    local n = (DIGIT[a] or 0) << 18 | (DIGIT[b] or 0) << 12 | (DIGIT[c] or 0) << 6 | (DIGIT[d] or 0)
    local bytes = string.char(n >> 16 & 255, n >> 8 & 255, n & 255)
    if d == 61 then bytes = bytes:sub(1, c == 61 and 1 or 2) end
    out[#out + 1] = bytes
  end
  return table.concat(out)
end

local function base64_encode(bytes)
  local out = {}
  for at = 1, #bytes, 3 do
    local a, b, c = bytes:byte(at, at + 2)
    local n = a << 16 | (b or 0) << 8 | (c or 0)
    local quad = {}
    for shift = 18, 0, -6 do quad[#quad + 1] = ALPHABET:sub((n >> shift & 63) + 1, (n >> shift & 63) + 1) end
    if c == nil then quad[4] = "=" end
    if b == nil then quad[3] = "=" end
    out[#out + 1] = table.concat(quad)
  end
  return table.concat(out)
end

-- The message with VERSION_LEN zero bytes inserted at header_end, every non-empty field of
-- count (len, maxlen, offset) headers starting at first_field moved by VERSION_LEN.
local function insert_version(msg, first_field, count, header_end)
  local out = msg:sub(1, header_end)
  local fields = {}
  for i = 0, count - 1 do
    local at = first_field + i * 8
    local len, maxlen, offset = string.unpack("<I2I2I4", msg, at + 1)
    if len > 0 and offset >= header_end then offset = offset + VERSION_LEN end
    fields[#fields + 1] = string.pack("<I2I2I4", len, maxlen, offset)
  end
  local headers = table.concat(fields)
  out = out:sub(1, first_field) .. headers .. out:sub(first_field + count * 8 + 1)
  return out .. string.rep("\0", VERSION_LEN) .. msg:sub(header_end + 1)
end

-- The smallest offset of a non-empty field: where the payload starts.
local function payload_start(msg, first_field, count)
  local start = #msg
  for i = 0, count - 1 do
    local len, _, offset = string.unpack("<I2I2I4", msg, first_field + i * 8 + 1)
    if len > 0 and offset < start then start = offset end
  end
  return start
end

local function normalized(msg)
  if msg == nil or #msg < 12 or msg:sub(1, 8) ~= "NTLMSSP\0" then return nil end
  local kind = string.unpack("<I4", msg, 9)
  if kind == 1 and #msg >= 32 and payload_start(msg, 16, 2) == 32 then
    -- NEGOTIATE: signature, type, flags, domain and workstation fields end at 32.
    return insert_version(msg, 16, 2, 32)
  end
  if kind == 3 and #msg >= 64 and payload_start(msg, 12, 6) == 64 then
    -- AUTHENTICATE: six fields and the flags end at 64.
    return insert_version(msg, 12, 6, 64)
  end
  return nil
end

function pad_ntlm(r)
  local header = r.headers_in["Authorization"]
  if header == nil then return apache2.DECLINED end
  local scheme, token = header:match("^(%S+)%s+(%S+)%s*$")
  if scheme == nil or scheme:lower() ~= "ntlm" then return apache2.DECLINED end
  local fixed = normalized(base64_decode(token))
  if fixed ~= nil then r.headers_in["Authorization"] = "NTLM " .. base64_encode(fixed) end
  return apache2.DECLINED
end
