{#
  Use the schema a model declares (+schema: SALES_WH) rather than dbt's
  default <target schema>_<custom schema>, so that dbt writes to the same
  schema the mesh's ports name, with the environment's schema prefix in
  front: GitLab jobs and Airflow tasks set MESHC_SCHEMA_PREFIX (DEV_ in
  dev), as the mesh's tests and publications look in DEV_SALES_WH there.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ env_var('MESHC_SCHEMA_PREFIX', '') ~ custom_schema_name | trim | upper }}
    {%- endif -%}
{%- endmacro %}
