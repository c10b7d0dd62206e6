{#
  Use the schema a model declares (+schema: SALES_WH) as is, instead of
  dbt's default <target schema>_<custom schema>, so that dbt writes to the
  same schema the mesh's ports name. The dev profile points the target at
  the DEV_ clone.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim | upper }}
    {%- endif -%}
{%- endmacro %}
