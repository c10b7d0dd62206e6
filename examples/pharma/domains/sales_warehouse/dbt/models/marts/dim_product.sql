select
    lpad(ndc11, 11, '0')      as ndc11,
    upper(brand_name)         as brand_name,
    molecule,
    market,
    is_own_brand
from {{ ref('ndc_brand_map') }}
