-- One decision: the steps of DedupIndex (worker/state/base.py), in one atomic script.
-- The settings are constants of the script (Layout.script() in worker/state/redis.py).
-- KEYS: [1] the registry. ARGV: [1] article id, [2] fetched_at (epoch seconds, the double Python
-- has), [3] key prefix, [4] id digest, [5] URL digest, [6] hash digest, [7] site digest, [8] title
-- digest (8 bytes each; site and title empty when absent), [9] the signature (1 byte a value, or
-- empty), [10] shingle count, [11] and [12] the band keys' low 32 bits (the memory backend's band
-- keys) split into bucket fields and high halves (_band_fields), [13] the origin key (8 bytes,
-- rules.packed_origin: title's 4 bytes then site's; empty when absent).
-- Returns {"unique"}, {"repeated"} (unique, reason repeated_on_site) or {"duplicate",
-- duplicate_of, method, similarity as a string} (Redis would truncate a Lua number to an integer).
-- Record values: "u" (unique), "r" (repeated_on_site), or the method's code ("1" url, "2" exact,
-- "3" near) then the similarity (8-byte double) then the canonical id. Claim values: fetched_at
-- (8-byte double) then the canonical id.
local registry = KEYS[1]
local article_id = ARGV[1]
local fetched_at = tonumber(ARGV[2])
local prefix = ARGV[3]
local id_digest, url_digest, hash_digest = ARGV[4], ARGV[5], ARGV[6]
local site_digest, title_digest = ARGV[7], ARGV[8]
local signature = ARGV[9]
local shingle_count = tonumber(ARGV[10])
local bucket_fields, band_highs = ARGV[11], ARGV[12]
local origin = ARGV[13]
-- No near candidate of the page's site under another title when either is a short text, or one
-- of the two, not both, a long text off its title (rules.other_title_on_site): the origin key's
-- 4th byte holds rules.SHORT as its top bit, rules.OFF_TITLE as the next, the title's digest in
-- the other 30 bits.
local NO_ORIGIN = string.rep('\0', 8)
local my_site, my_title, my_short, my_off
if origin ~= '' then
  my_site = string.sub(origin, 5, 8)
  my_title = string.sub(origin, 1, 3) .. string.char(string.byte(origin, 4) % 64)
  my_short = string.byte(origin, 4) >= 128
  my_off = math.floor(string.byte(origin, 4) / 64) % 2 == 1
end
local METHOD = {['1'] = 'url', ['2'] = 'exact', ['3'] = 'near'}
local CODE = {url = '1', exact = '2', near = '3'}

local now = tonumber(redis.call('TIME')[1])
local my_generation = math.floor(fetched_at / generation_length)
local first_generation = math.floor((fetched_at - window) / generation_length)

-- The registry: which generations exist, when each was last written, which are being deleted.
local touched, counts, rows, deleting = {}, {}, {}, {}
local stored_layout = nil
local entries = redis.call('HGETALL', registry)
for i = 1, #entries, 2 do
  local name, value = entries[i], entries[i + 1]
  local kind = string.sub(name, 1, 1)
  if kind == 'L' then stored_layout = value
  else
    local generation = tonumber(string.sub(name, 2))
    if kind == 't' then touched[generation] = tonumber(value)
    elseif kind == 'n' then counts[generation] = tonumber(value)
    elseif kind == 'v' then rows[generation] = tonumber(value)
    elseif kind == 'd' then deleting[generation] = tonumber(value) end
  end
end
-- A state of a previous layout (before the site rule, or before origin keys) is this one without
-- them: taken over.
if stored_layout and stored_layout ~= layout and not previous_layouts[stored_layout] then
  return redis.error_reply('dedup layout mismatch: ' .. stored_layout .. ' stored, ' .. layout .. ' expected')
end

-- Generations that can hold something usable for this page, oldest first; an expired one is
-- deleted bit by bit (one per decision), and not read meanwhile.
local generations, expired = {}, nil
for generation, at in pairs(touched) do
  if deleting[generation] or now - at >= retention then
    if generation ~= my_generation and (expired == nil or generation < expired) then expired = generation end
  elseif generation >= first_generation then
    generations[#generations + 1] = generation
  end
end
table.sort(generations)

local function shard(digest, count)
  return (string.byte(digest, 1) + 256 * string.byte(digest, 2)) % count
end
local function record_key(generation, digest) return prefix .. 'r' .. generation .. ':' .. shard(digest, record_shards) end
local function claim_key(generation, digest) return prefix .. 'c' .. generation .. ':' .. shard(digest, claim_shards) end
local function row_key(generation, row) return prefix .. 'v' .. generation .. ':' .. math.floor(row / rows_per_chunk) end
local function origin_key(generation, row) return prefix .. 'w' .. generation .. ':' .. math.floor(row / rows_per_chunk) end

local function delete_some(generation)
  local cursor = deleting[generation] or 0
  local chunks = math.ceil((rows[generation] or 0) / rows_per_chunk)
  local total = record_shards + claim_shards + 1 + 2 * chunks
  local keys = {}
  local stop = math.min(cursor + delete_keys, total)
  for n = cursor, stop - 1 do
    if n < record_shards then keys[#keys + 1] = prefix .. 'r' .. generation .. ':' .. n
    elseif n < record_shards + claim_shards then keys[#keys + 1] = prefix .. 'c' .. generation .. ':' .. (n - record_shards)
    elseif n == record_shards + claim_shards then keys[#keys + 1] = prefix .. 'b' .. generation
    elseif n <= record_shards + claim_shards + chunks then
      keys[#keys + 1] = prefix .. 'v' .. generation .. ':' .. (n - record_shards - claim_shards - 1)
    else keys[#keys + 1] = prefix .. 'w' .. generation .. ':' .. (n - record_shards - claim_shards - 1 - chunks) end
  end
  for from = 1, #keys, 200 do redis.call('UNLINK', unpack(keys, from, math.min(from + 199, #keys))) end
  if stop >= total then
    redis.call('HDEL', registry, 't' .. generation, 'n' .. generation, 'v' .. generation, 'd' .. generation)
  else
    redis.call('HSET', registry, 'd' .. generation, stop)
  end
end
if expired then delete_some(expired) end

-- 1. Replay: the decision remembered for this article id, unchanged.
local my_record_key = record_key(my_generation, id_digest)
local stored = redis.call('HGET', my_record_key, id_digest)
if stored then
  local code = string.sub(stored, 1, 1)
  if code == 'u' then return {'unique'} end
  if code == 'r' then return {'repeated'} end
  return {'duplicate', string.sub(stored, 10), METHOD[code], string.format('%.17g', struct.unpack('<d', stored, 2))}
end

-- The canonical article id of the newest claim of a digest, if usable for this page.
local function claimed(digest)
  local newest_at, canonical = nil, nil
  for _, generation in ipairs(generations) do
    local value = redis.call('HGET', claim_key(generation, digest), digest)
    if value then
      local at = struct.unpack('<d', value)
      if newest_at == nil or at > newest_at then newest_at, canonical = at, string.sub(value, 9) end
    end
  end
  if newest_at and fetched_at - newest_at < window then return canonical end
  return nil
end

-- Python's str order (code points); Lua's < follows the server's locale.
local function before(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

-- The similarity.py rule: the similarity of a verified pair with m matching values, or nil.
local function near_similarity(m, count)
  local jaccard = m / num_perm
  if jaccard >= near_jaccard then return jaccard end
  local shorter = math.min(shingle_count, count)
  if shorter >= containment_min_shingles and jaccard >= containment_min_jaccard then
    local containment = m * (shingle_count + count) / ((num_perm + m) * shorter)
    if containment >= near_containment then return math.min(containment, 1.0) end
  end
  return nil
end

-- Matching values of two signatures, or nil as soon as the pair cannot pass (the similarity
-- grows with m, so when even m plus every remaining position fails, the rest need not be read).
local CHECK_EVERY = 32
local function verified_matches(mine, other, count)
  local m = 0
  for k = 1, num_perm do
    if mine[k] == other[k] then m = m + 1 end
    if k % CHECK_EVERY == 0 and not near_similarity(m + num_perm - k, count) then return nil end
  end
  return m
end

-- A band key's low bucket_bits bits name its bucket (3 bytes: ARGV[11]), its high 16 bits are
-- stored in the bucket (2 bytes: ARGV[12]) with the row of the article: together all 32 bits.
local band_count = #bucket_fields / 3
local fields, highs = {}, {}  -- filled by near_match (a page decided by a claim needs neither)
local my_buckets = {}  -- the buckets of this page's bands in its own generation, as read

-- Near: verify the usable unique articles sharing a band, as worker/dedup/similarity.py states:
-- of more than max_candidates, only those sharing the most band keys (candidate_floor).
local function near_match()
  for i = 1, band_count do
    fields[i] = string.sub(bucket_fields, 3 * i - 2, 3 * i)
    highs[i] = string.sub(band_highs, 2 * i - 1, 2 * i)
  end
  -- A candidate is named by a number, generation * 2^32 + row (no string or table made per
  -- entry scanned: the scan is most of a decision when a page has thousands of candidates);
  -- shared[name] counts the band keys it shares with this page.
  local shared, candidates = {}, {}
  for _, generation in ipairs(generations) do
    local buckets = redis.call('HMGET', prefix .. 'b' .. generation, unpack(fields))
    local mine = generation == my_generation
    local base = generation * 4294967296
    for i = 1, band_count do
      local bucket = buckets[i]
      if bucket then
        if mine then my_buckets[i] = bucket end
        local high = highs[i]
        local position = string.find(bucket, high, 1, true)
        while position do
          if position % 6 == 1 then
            local name = base + struct.unpack('<I4', bucket, position + 2)
            local known = shared[name]
            if known then
              shared[name] = known + 1
            else
              shared[name] = 1
              candidates[#candidates + 1] = name
            end
          end
          position = string.find(bucket, high, position + 1, true)
        end
      end
    end
  end
  if #candidates == 0 then return nil, nil end
  -- The rows of the usable candidates to verify: all of them when they are max_candidates at
  -- most; else whole groups of equal shared counts, most shared first, while the rows taken stay
  -- within max_candidates (a row is read to know whether it is usable, and only until the group
  -- that would overflow is known to).
  -- (rules.other_title_on_site: a candidate of the page's site under another title, either a short
  -- text or one of the two a long text off its title, is none)
  local function usable_row(name)
    local row = name % 4294967296
    local generation = (name - row) / 4294967296
    local offset = (row % rows_per_chunk) * row_bytes
    local packed = redis.call('GETRANGE', row_key(generation, row), offset, offset + row_bytes - 1)
    if #packed ~= row_bytes or fetched_at - struct.unpack('<d', packed) >= window then return nil end
    if my_site then
      local at = (row % rows_per_chunk) * 8
      local theirs = redis.call('GETRANGE', origin_key(generation, row), at, at + 7)
      if #theirs == 8 and theirs ~= NO_ORIGIN and string.sub(theirs, 5, 8) == my_site then
        local flags = string.byte(theirs, 4)
        if (my_short or flags >= 128 or my_off ~= (math.floor(flags / 64) % 2 == 1))
            and string.sub(theirs, 1, 3) .. string.char(flags % 64) ~= my_title then return nil end
      end
    end
    return packed
  end
  local taken = {}
  if #candidates <= max_candidates then
    for _, candidate in ipairs(candidates) do taken[#taken + 1] = usable_row(candidate) end
  else
    local groups, most = {}, 0
    for _, name in ipairs(candidates) do
      local count = shared[name]
      local group = groups[count]
      if group == nil then group = {}; groups[count] = group end
      group[#group + 1] = name
      if count > most then most = count end
    end
    for count = most, 1, -1 do
      local group = groups[count]
      if group then
        local rows_of_group, full = {}, false
        for _, candidate in ipairs(group) do
          local packed = usable_row(candidate)
          if packed then
            rows_of_group[#rows_of_group + 1] = packed
            if #taken + #rows_of_group > max_candidates then full = true; break end
          end
        end
        if full then break end
        for _, packed in ipairs(rows_of_group) do taken[#taken + 1] = packed end
      end
    end
  end
  local mine = {string.byte(signature, 1, num_perm)}
  -- similarity.py's choice: verified by Jaccard first, then the highest similarity, then the smaller id.
  local best_id, best_similarity, best_jaccard = nil, nil, false
  for _, packed in ipairs(taken) do
    local _, count, id_length = struct.unpack('<dI4B', packed)
    local m = verified_matches(mine, {string.byte(packed, 46, 45 + num_perm)}, count)
    local similarity = m and near_similarity(m, count)
    if similarity then
      local their_id = string.sub(packed, 14, 13 + id_length)
      local jaccard = m / num_perm >= near_jaccard
      if best_id == nil or (jaccard and not best_jaccard) or (jaccard == best_jaccard and (
          similarity > best_similarity or (similarity == best_similarity and before(their_id, best_id)))) then
        best_id, best_similarity, best_jaccard = their_id, similarity, jaccard
      end
    end
  end
  return best_id, best_similarity
end

-- 2. The first matching rule wins: url, the site rule (title: exact; site: repeated), exact, near;
-- else unique.
local by_url = claimed(url_digest)
local by_hash = claimed(hash_digest)
local by_site = site_digest ~= '' and claimed(site_digest) or nil
local by_title = title_digest ~= '' and claimed(title_digest) or nil
local status, duplicate_of, method, similarity = 'duplicate', nil, nil, 1.0
if by_url then duplicate_of, method = by_url, 'url'
elseif by_title then duplicate_of, method = by_title, 'exact'
elseif by_site then status = 'repeated'
elseif by_hash then duplicate_of, method = by_hash, 'exact'
elseif signature ~= '' then
  duplicate_of, similarity = near_match()
  method = 'near'
end
if not duplicate_of and status == 'duplicate' then status = 'unique' end
local canonical = duplicate_of or article_id

-- 3. Claims: the decision for replays; URL, hash, site and title unless usably claimed (a
-- repeated page claims neither hash nor site); bands when unique.
if stored_layout ~= layout then redis.call('HSET', registry, 'L', layout) end
local claim = struct.pack('<d', fetched_at) .. canonical
local function claim_unless(taken, digest)
  if not taken and digest ~= '' then redis.call('HSET', claim_key(my_generation, digest), digest, claim) end
end
claim_unless(by_url, url_digest)
claim_unless(by_title, title_digest)
if status ~= 'repeated' then
  claim_unless(by_hash, hash_digest)
  claim_unless(by_site, site_digest)
end
if status == 'unique' and signature ~= '' then
  local row = redis.call('HINCRBY', registry, 'v' .. my_generation, 1) - 1
  local key = row_key(my_generation, row)
  -- A chunk is allocated whole by its first row, so that later rows do not grow it.
  if row % rows_per_chunk == 0 then redis.call('SETRANGE', key, rows_per_chunk * row_bytes - 1, '\0') end
  local padded = article_id .. string.rep('\0', id_bytes - #article_id)
  redis.call('SETRANGE', key, (row % rows_per_chunk) * row_bytes,
             struct.pack('<dI4B', fetched_at, shingle_count, #article_id) .. padded .. signature)
  -- Its origin key beside it, in a string of 8 bytes a row, allocated whole as the rows' chunk.
  if origin ~= '' then
    local origins = origin_key(my_generation, row)
    if row % rows_per_chunk == 0 then redis.call('SETRANGE', origins, rows_per_chunk * 8 - 1, '\0') end
    redis.call('SETRANGE', origins, (row % rows_per_chunk) * 8, origin)
  end
  local values, order = {}, {}
  local entry_row = struct.pack('<I4', row)
  for i = 1, band_count do
    local field = fields[i]
    local value = values[field]
    if value == nil then
      order[#order + 1] = field
      value = my_buckets[i] or ''
    end
    values[field] = value .. highs[i] .. entry_row
  end
  local arguments = {}
  for n, field in ipairs(order) do
    arguments[2 * n - 1] = field
    arguments[2 * n] = values[field]
  end
  redis.call('HSET', prefix .. 'b' .. my_generation, unpack(arguments))
end
if status == 'unique' then
  redis.call('HSET', my_record_key, id_digest, 'u')
elseif status == 'repeated' then
  redis.call('HSET', my_record_key, id_digest, 'r')
else
  redis.call('HSET', my_record_key, id_digest, CODE[method] .. struct.pack('<d', similarity) .. duplicate_of)
end
redis.call('HINCRBY', registry, 'n' .. my_generation, 1)
if touched[my_generation] ~= now then redis.call('HSET', registry, 't' .. my_generation, now) end
-- A page written into a generation being deleted keeps it: it was written now.
if deleting[my_generation] then redis.call('HDEL', registry, 'd' .. my_generation) end
if status ~= 'duplicate' then return {status} end
return {status, duplicate_of, method, string.format('%.17g', similarity)}
